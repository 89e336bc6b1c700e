import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { findLeaks } from './capturedOutput';
import {
  captured,
  expectNoSecretsLeaked,
  startMailerTestBackend,
  testEncryptionKey,
} from './mailerTestBackend';
import { saveSettings } from './saveSettings';
import { createTestDatabases } from './testDatabases';

const databases = createTestDatabases();
const PASSWORD = 'the-Stored-password-77';

describe('the secret check that runs after every backend test', () => {
  it('names what leaked and where, never the secret itself', () => {
    const leaks = findLeaks(
      ['nothing here', `oops ${PASSWORD} oops`],
      new Map([[PASSWORD, 'a stored SMTP password']]),
    );
    expect(leaks).toEqual(['a stored SMTP password in captured text #1']);
  });

  it('sees responses, log lines and audit events, and fails on a leak', async () => {
    const { server } = await startMailerTestBackend(databases, 'SQLITE_3', {
      defaultServer: { host: '127.0.0.1', port: 1 },
    });
    await saveSettings(server, {
      'SMTP.Server': 'smtp.example.com',
      'SMTP.Port': 587,
      'SMTP.Username': 'mailer@example.com',
      'SMTP.Password': PASSWORD,
    });
    await request(server)
      .post('/api/mailer/messages')
      .set('Authorization', mockCredentials.service.header())
      .send({
        message: {
          to: 'a@example.com',
          bcc: ['not-an-address'],
          subject: 's',
          text: 't',
        },
      })
      .expect(400);
    expect(
      captured.responses.some(r =>
        r.body.includes('bcc has an invalid address'),
      ),
    ).toBe(true);
    expect(captured.logLines.join('\n')).toContain('Default mailbox');
    expect(captured.auditEvents.map(e => e.eventId)).toContain(
      'settings-update',
    );
    expect(captured.sentSecrets).toEqual(new Set([PASSWORD]));
    await expectNoSecretsLeaked();

    for (const leak of [PASSWORD, testEncryptionKey]) {
      captured.logLines.push(`a careless log line: ${leak}`);
      const error = await expectNoSecretsLeaked().catch(e => e);
      expect(error.message).toMatch(
        /^Secrets leaked: (a stored SMTP password|the encryption key [\w-]+) in captured text #\d+/,
      );
      expect(error.message).not.toContain(leak);
    }
  });
});
