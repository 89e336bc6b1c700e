import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { findLeaks } from './capturedOutput';
import {
  captured,
  expectNoSecretsLeaked,
  finishTest,
  startMailerTestBackend,
  testEncryptionKey,
} from './mailerTestBackend';
import { saveSettings } from './saveSettings';
import { createTestDatabases } from './testDatabases';

const databases = createTestDatabases();
const PASSWORD = 'the-Stored-password-77';
/** A short password, as some tenants have: found too, as a whole word. */
const SHORT_PASSWORD = 'Pw7$x';

/** A plugin that logs `line` while the backend shuts down. */
const logsOnShutdown = (line: string) =>
  createBackendPlugin({
    pluginId: 'careless',
    register(env) {
      env.registerInit({
        deps: {
          logger: coreServices.logger,
          lifecycle: coreServices.lifecycle,
        },
        async init({ logger, lifecycle }) {
          lifecycle.addShutdownHook(() => logger.info(line));
        },
      });
    },
  });

describe('the secret check that runs after every backend test', () => {
  it('names what leaked and where, never the secret itself', () => {
    const leaks = findLeaks(
      ['nothing here', `oops ${PASSWORD} oops`],
      new Map([[PASSWORD, 'a stored SMTP password']]),
    );
    expect(leaks).toEqual(['a stored SMTP password in captured text #1']);
  });

  it('finds a secret shorter than 8 characters as a whole word, also JSON-escaped, but not inside other words', () => {
    const secrets = new Map([
      [SHORT_PASSWORD, 'a short password'],
      ['42', 'a throwaway test secret'],
      ['a"b\\c', 'a secret with quotes'],
    ]);
    expect(
      findLeaks(
        [
          'took 420 ms for 1042 rows',
          `login as ${SHORT_PASSWORD}x failed`,
          JSON.stringify({ pass: SHORT_PASSWORD }),
          'attempt 42 failed',
          JSON.stringify({ secret: 'a"b\\c' }),
        ],
        secrets,
      ),
    ).toEqual([
      'a short password in captured text #2',
      'a throwaway test secret in captured text #3',
      'a secret with quotes in captured text #4',
    ]);
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

  it('checks a short stored password, and what a backend logs while it shuts down', async () => {
    const { server } = await startMailerTestBackend(databases, 'SQLITE_3', {
      defaultServer: { host: '127.0.0.1', port: 1 },
      features: [logsOnShutdown(`closing the session of ${SHORT_PASSWORD}`)],
    });
    await saveSettings(server, {
      'SMTP.Server': 'smtp.example.com',
      'SMTP.Port': 587,
      'SMTP.Username': 'mailer@example.com',
      'SMTP.Password': SHORT_PASSWORD,
    });
    expect(captured.sentSecrets).toEqual(new Set([SHORT_PASSWORD]));
    // Nothing leaked while it ran…
    await expectNoSecretsLeaked();
    // …but it does as it stops: what runs after every test finds it.
    const error = await finishTest().catch(e => e);
    expect(error?.message).toMatch(
      /^Secrets leaked: a stored SMTP password in captured text #\d+$/,
    );
    expect(error.message).not.toContain(SHORT_PASSWORD);
  });
});
