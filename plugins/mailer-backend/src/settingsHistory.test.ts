import { mockCredentials } from '@backstage/backend-test-utils';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { permissionsAllowing } from './__testUtils__/permissionsAllowing';

const databases = createTestDatabases();
jest.setTimeout(30_000);

const USER = 'mailer@tenant.example';
const PASSWORD = 'history-Password-never-kept-1';
const ADA = 'user:default/ada';
const GRACE = 'user:default/grace';

let smtp: SmtpTestServer;
beforeAll(async () => {
  smtp = await SmtpTestServer.start({ users: { [USER]: PASSWORD } });
});
afterAll(() => smtp.close());
beforeEach(() => smtp.reset());

/** Every way a value could sit in a row: as text, base64, base64url or hex. */
function encodings(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [
    value,
    ...(['base64', 'base64url', 'hex'] as const).map(e => bytes.toString(e)),
  ];
}

describe.each(databases.eachSupportedId())(
  'settings history on %s',
  databaseId => {
    /** Permissions the permission service allows; every one unless a test says otherwise. */
    let denied: Set<string>;
    async function start() {
      denied = new Set();
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: '127.0.0.1', port: 1 },
        features: [permissionsAllowing(name => !denied.has(name))],
      });
      const as = (user: string) => ({
        put: (values: Record<string, string | null>) =>
          request(started.server)
            .put('/api/mailer/settings')
            .set('Authorization', mockCredentials.user.header(user))
            .send({ values }),
        remove: (key: string) =>
          request(started.server)
            .delete(`/api/mailer/settings/${key}`)
            .set('Authorization', mockCredentials.user.header(user)),
        test: (body: object) =>
          request(started.server)
            .post('/api/mailer/connection-test')
            .set('Authorization', mockCredentials.user.header(user))
            .send(body),
        history: () =>
          request(started.server)
            .get('/api/mailer/settings/history')
            .set('Authorization', mockCredentials.user.header(user)),
      });
      const rows = () => started.knex('mailer_settings_history').select();
      return { ...started, as, rows };
    }

    const server = () => ({
      'SMTP.Server': smtp.host,
      'SMTP.Port': String(smtp.port),
      'SMTP.Security': 'none',
      'SMTP.Username': USER,
      'SMTP.Password': PASSWORD,
    });

    it('keeps who added, changed and removed which keys, newest first, and never a value', async () => {
      const { as, rows, knex } = await start();
      await as(ADA).put(server()).expect(200);
      await as(GRACE)
        .put({
          'SMTP.From': 'portal@tenant.example',
          'SMTP.Security': 'none',
          'SMTP.Password': PASSWORD,
        })
        .expect(200);
      await as(GRACE).remove('SMTP.From').expect(200);
      // A blank secret keeps the stored one, and removing a key that is not set removes nothing.
      await as(GRACE).put({ 'SMTP.Password': '' }).expect(200);
      await as(GRACE).remove('SMTP.FromName').expect(200);

      const { body } = await as(ADA).history().expect(200);
      expect(body.entries).toEqual([
        {
          kind: 'change',
          at: expect.any(String),
          actor: GRACE,
          added: [],
          changed: [],
          removed: ['SMTP.From'],
        },
        {
          kind: 'change',
          at: expect.any(String),
          actor: GRACE,
          added: ['SMTP.From'],
          changed: ['SMTP.Password'],
          removed: [],
        },
        {
          kind: 'change',
          at: expect.any(String),
          actor: ADA,
          added: [
            'SMTP.Password',
            'SMTP.Port',
            'SMTP.Security',
            'SMTP.Server',
            'SMTP.Username',
          ],
          changed: [],
          removed: [],
        },
      ]);
      expect(Date.parse(body.entries[0].at)).toBeGreaterThanOrEqual(
        Date.parse(body.entries[2].at),
      );

      const stored = JSON.stringify(await rows());
      for (const value of [PASSWORD, USER, 'portal@tenant.example']) {
        for (const encoded of encodings(value)) {
          expect(stored).not.toContain(encoded);
        }
      }
      // Nor the ciphertext, or anything of it.
      const secretRow = await knex('mailer_settings')
        .where({ setting_key: 'SMTP.Password' })
        .first();
      for (const part of secretRow.value.split('.')) {
        expect(stored).not.toContain(part);
      }
    });

    it('writes nothing when a change is refused', async () => {
      const { as, rows } = await start();
      await as(ADA).put(server()).expect(200);
      const before = await rows();

      // A bad value; a new server without the password again; a key the catalog lacks.
      await as(GRACE).put({ 'SMTP.Port': 'many' }).expect(400);
      await as(GRACE)
        .put({ 'SMTP.Username': 'other@tenant.example' })
        .expect(400);
      await as(GRACE).put({ 'SMTP.Colour': 'blue' }).expect(400);
      await as(GRACE).remove('SMTP.Colour').expect(400);
      // Only a user with the permission to manage may change anything.
      denied.add('mailer.settings.manage');
      await as(GRACE).put({ 'SMTP.From': 'p@tenant.example' }).expect(403);

      expect(await rows()).toEqual(before);
    });

    it('keeps that a connection test ran: the server, how it ended and whether a message was sent', async () => {
      const { as, rows } = await start();
      await as(ADA).put(server()).expect(200);
      const sent = await as(GRACE)
        .test({ sendTo: 'grace@example.com' })
        .expect(200);
      expect(sent.body).toMatchObject({
        outcome: 'success',
        messageSent: true,
      });
      await smtp.waitForMessages(1);
      const refused = await as(ADA)
        .test({ values: { 'SMTP.Password': 'a-wrong-password' } })
        .expect(200);
      expect(refused.body.outcome).toBe('authentication-failed');
      // Refused before it ran: no server to connect to, nothing to keep.
      await as(ADA).test({ sendTo: 'not an address' }).expect(400);

      const { body } = await as(ADA).history().expect(200);
      expect(body.entries.slice(0, 2)).toEqual([
        {
          kind: 'connection-test',
          at: expect.any(String),
          actor: ADA,
          host: smtp.host,
          port: smtp.port,
          outcome: 'authentication-failed',
          messageSent: false,
        },
        {
          kind: 'connection-test',
          at: expect.any(String),
          actor: GRACE,
          host: smtp.host,
          port: smtp.port,
          outcome: 'success',
          messageSent: true,
        },
      ]);
      expect(body.entries).toHaveLength(3);
      const stored = JSON.stringify(await rows());
      for (const value of [
        PASSWORD,
        'a-wrong-password',
        USER,
        'grace@example.com',
      ]) {
        for (const encoded of encodings(value)) {
          expect(stored).not.toContain(encoded);
        }
      }
    });

    it('shows the history only to users who may read the settings (403 otherwise)', async () => {
      const { as } = await start();
      await as(ADA).put(server()).expect(200);
      denied.add('mailer.settings.read');
      const response = await as(ADA).history().expect(403);
      expect(response.body.error.message).toBe(
        'Missing permission mailer.settings.read',
      );
      await request((await start()).server)
        .get('/api/mailer/settings/history')
        .set('Authorization', mockCredentials.service.header())
        .expect(403);
    });
  },
);
