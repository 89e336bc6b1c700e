import { BackendFeature } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { saveSettings } from './__testUtils__/saveSettings';
import { createTestDatabases } from './__testUtils__/testDatabases';
import {
  captured,
  startMailerTestBackend,
} from './__testUtils__/mailerTestBackend';

const databases = createTestDatabases();
jest.setTimeout(30_000);
const PASSWORD = 'correct-horse-battery-staple-7f3a';
const validSettings = {
  'SMTP.Server': 'smtp.example.com',
  'SMTP.Port': '587',
  'SMTP.Username': 'mailer@example.com',
  'SMTP.Password': PASSWORD,
};

let smtp: SmtpTestServer;
beforeAll(async () => {
  smtp = await SmtpTestServer.start();
});
afterAll(() => smtp.close());

function permissionsAllowing(...allowed: string[]) {
  return mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(r => ({
        result: allowed.includes(r.permission.name)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })),
  }).factory;
}

describe.each(databases.eachSupportedId())(
  'settings routes on %s',
  databaseId => {
    async function start(
      permissions: BackendFeature = mockServices.permissions.factory(),
    ) {
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: smtp.host, port: smtp.port },
        features: [permissions],
      });
      const storedRows = () =>
        started.knex('mailer_settings').select().orderBy('setting_key');
      return { ...started, storedRows };
    }

    it('refuses requests without credentials with 401', async () => {
      const { server } = await start();
      const none = mockCredentials.none.header();
      const responses = await Promise.all([
        request(server).get('/api/mailer/settings').set('Authorization', none),
        request(server)
          .put('/api/mailer/settings')
          .set('Authorization', none)
          .send({ values: validSettings }),
        request(server)
          .delete('/api/mailer/settings/SMTP.Port')
          .set('Authorization', none),
        request(server).get('/api/mailer/status').set('Authorization', none),
      ]);
      expect(responses.map(r => r.status)).toEqual([401, 401, 401, 401]);
    });

    it('never echoes a rejected value, which may be a mistyped secret', async () => {
      const { server } = await start();
      const longSecret = `${PASSWORD}-${'y'.repeat(1100)}`;
      const response = await request(server)
        .put('/api/mailer/settings')
        .send({
          values: {
            'SMTP.Password': longSecret,
            'SMTP.Server': `${PASSWORD} typed in the wrong field`,
          },
        })
        .expect(400);
      expect(response.body.error.message).toContain('SMTP.Password');
      expect(response.body.error.message).toContain('SMTP.Server');
      expect(response.text).not.toContain(PASSWORD);
    });

    it('refuses every route with 403 without permission, and stores nothing', async () => {
      const { server, storedRows } = await start(
        mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
      );
      const user = mockCredentials.user.header('user:default/mallory');
      const read = await request(server)
        .get('/api/mailer/settings')
        .set('Authorization', user);
      expect(read.status).toBe(403);
      expect(read.body.error.message).toContain('mailer.settings.read');
      await request(server)
        .put('/api/mailer/settings')
        .set('Authorization', user)
        .send({ values: validSettings })
        .expect(403);
      await request(server)
        .get('/api/mailer/status')
        .set('Authorization', user)
        .expect(403);
      expect(await storedRows()).toEqual([]);
    });

    it('lets a reader read the settings but not change them', async () => {
      const { server, storedRows } = await start(
        permissionsAllowing('mailer.settings.read'),
      );
      const user = mockCredentials.user.header('user:default/reader');
      const read = await request(server)
        .get('/api/mailer/settings')
        .set('Authorization', user)
        .expect(200);
      expect(read.body.settings).toEqual([]);
      const change = await request(server)
        .put('/api/mailer/settings')
        .set('Authorization', user)
        .send({ values: validSettings });
      expect(change.status).toBe(403);
      expect(change.body.error.message).toContain('mailer.settings.manage');
      await request(server)
        .delete('/api/mailer/settings/SMTP.Server')
        .set('Authorization', user)
        .expect(403);
      expect(await storedRows()).toEqual([]);
    });

    it('stores the settings, encrypts the password and never returns it', async () => {
      const { server, storedRows } = await start();
      const put = await saveSettings(server, validSettings);
      expect(put.text).not.toContain(PASSWORD);
      expect(put.body.status).toEqual({
        server: 'custom',
        missingKeys: [],
        sender: 'mailer@example.com',
      });

      const get = await request(server).get('/api/mailer/settings').expect(200);
      expect(get.text).not.toContain(PASSWORD);
      expect(get.body.settings).toEqual([
        { key: 'SMTP.Password', set: true, secret: true },
        { key: 'SMTP.Port', value: '587', set: true, secret: false },
        {
          key: 'SMTP.Server',
          value: 'smtp.example.com',
          set: true,
          secret: false,
        },
        {
          key: 'SMTP.Username',
          value: 'mailer@example.com',
          set: true,
          secret: false,
        },
      ]);

      const rows = await storedRows();
      const password = rows.find(r => r.setting_key === 'SMTP.Password');
      expect(password.encryption_key_id).toBe('test-1');
      expect(password.value).not.toContain(PASSWORD);
      expect(password.value).not.toContain(
        Buffer.from(PASSWORD).toString('base64'),
      );
      expect(password.updated_by).toBe('user:default/mock');
      expect(rows.find(r => r.setting_key === 'SMTP.Server')).toMatchObject({
        tenant_id: 'default',
        value: 'smtp.example.com',
        encryption_key_id: null,
      });
    });

    it('keeps the stored password while the server it belongs to stays the same', async () => {
      const { server, storedRows } = await start();
      await saveSettings(server, validSettings);
      const before = (await storedRows()).find(
        r => r.setting_key === 'SMTP.Password',
      ).value;

      await saveSettings(server, { 'SMTP.From': 'news@example.com' });
      await saveSettings(server, {
        'SMTP.Server': 'smtp.example.com',
        'SMTP.RateLimit': 30,
        'SMTP.Password': '',
      });

      const rows = await storedRows();
      expect(rows.find(r => r.setting_key === 'SMTP.Password').value).toBe(
        before,
      );
      expect(rows.find(r => r.setting_key === 'SMTP.From').value).toBe(
        'news@example.com',
      );
    });

    it.each([
      ['SMTP.Server', 'smtp2.example.com'],
      ['SMTP.Port', 465],
      ['SMTP.Username', 'someone-else@example.com'],
      ['SMTP.Security', 'none'],
    ])(
      'refuses to move the stored password to a new %s, and stores nothing',
      async (key, value) => {
        const { server, storedRows } = await start();
        await saveSettings(server, validSettings);
        const before = await storedRows();

        for (const values of [
          { [key]: value },
          { [key]: value, 'SMTP.Password': '' },
        ]) {
          const response = await request(server)
            .put('/api/mailer/settings')
            .send({ values })
            .expect(400);
          expect(response.body.error.name).toBe('InputError');
          expect(response.body.error.message).toBe(
            `SMTP.Password must be entered again for the new server (${key} changed): a stored password is only sent to the server it was saved for`,
          );
        }
        expect(await storedRows()).toEqual(before);

        // With the password entered again, the change is saved.
        await saveSettings(server, { [key]: value, 'SMTP.Password': PASSWORD });
        const changed = (await storedRows()).find(r => r.setting_key === key);
        expect(changed.value).toBe(String(value));
      },
    );

    it('removes a key and reports which required keys are missing', async () => {
      const { server, storedRows } = await start();
      await saveSettings(server, validSettings);

      const removed = await request(server)
        .delete('/api/mailer/settings/SMTP.Password')
        .expect(200);
      expect(removed.body.status).toEqual({
        server: 'default',
        missingKeys: ['SMTP.Password'],
        sender: 'no-reply@elixeum.cloud',
      });
      expect((await storedRows()).map(r => r.setting_key)).toEqual([
        'SMTP.Port',
        'SMTP.Server',
        'SMTP.Username',
      ]);

      await saveSettings(server, { 'SMTP.Port': null, 'SMTP.Server': null });
      const status = await request(server)
        .get('/api/mailer/status')
        .expect(200);
      expect(status.body.missingKeys).toEqual([
        'SMTP.Server',
        'SMTP.Port',
        'SMTP.Password',
      ]);
    });

    it.each([
      ['SMTP.Port', '0', 'from 1 to 65535'],
      ['SMTP.Port', '65536', 'from 1 to 65535'],
      ['SMTP.Port', '58 7', 'from 1 to 65535'],
      ['SMTP.Server', 'smtp example.com', 'host name'],
      ['SMTP.Server', 'smtp.example.com\r\nRCPT TO:<x@y.z>', 'single line'],
      ['SMTP.Server', '', 'must not be empty'],
      ['SMTP.Username', ' padded ', 'spaces'],
      ['SMTP.Security', 'ssl', 'one of: starttls, tls, none'],
      ['SMTP.From', 'not-an-address', 'mail address'],
      ['SMTP.Colour', 'blue', 'not a known setting'],
      ['SMTP.Password', 'x'.repeat(1025), 'at most 1024 characters'],
    ])(
      'refuses %s = %j with 400 naming the key, and changes nothing',
      async (key, value, reason) => {
        const { server, storedRows } = await start();
        await saveSettings(server, validSettings);
        const before = await storedRows();

        const response = await request(server)
          .put('/api/mailer/settings')
          .send({
            values: { 'SMTP.Server': 'changed.example.com', [key]: value },
          })
          .expect(400);
        expect(response.body.error.name).toBe('InputError');
        expect(response.body.error.message).toContain(key);
        expect(response.body.error.message).toContain(reason);
        expect(await storedRows()).toEqual(before);
      },
    );

    it.each([
      ['no values object', { 'SMTP.Server': 'smtp.example.com' }],
      ['a value that is not text', { values: { 'SMTP.Port': true } }],
      ['values that are a list', { values: ['SMTP.Port'] }],
    ])('refuses a body with %s with 400', async (_case, body) => {
      const { server, storedRows } = await start();
      const response = await request(server)
        .put('/api/mailer/settings')
        .send(body)
        .expect(400);
      expect(response.body.error.name).toBe('InputError');
      expect(await storedRows()).toEqual([]);
    });

    it('takes at most 30 settings changes a minute from one user (429 after), so saves cannot map internal host names', async () => {
      const { server } = await start();
      const as = (user: string) => mockCredentials.user.header(user);
      for (let i = 0; i < 30; i++) {
        await request(server)
          .put('/api/mailer/settings')
          .set('Authorization', as('user:default/prober'))
          .send({ values: { 'SMTP.Server': `probe-${i}.internal.example` } })
          .expect(200);
      }
      const limited = await request(server)
        .put('/api/mailer/settings')
        .set('Authorization', as('user:default/prober'))
        .send({ values: { 'SMTP.Server': 'one-more.internal.example' } })
        .expect(429);
      expect(limited.body.error.message).toContain(
        '30 settings changes a minute',
      );
      await request(server)
        .delete('/api/mailer/settings/SMTP.Server')
        .set('Authorization', as('user:default/prober'))
        .expect(429);
      // Someone else is not held up.
      await request(server)
        .put('/api/mailer/settings')
        .set('Authorization', as('user:default/other'))
        .send({ values: { 'SMTP.Port': '587' } })
        .expect(200);
      const stored = await request(server).get('/api/mailer/settings');
      expect(stored.body.settings).toContainEqual(
        expect.objectContaining({
          key: 'SMTP.Server',
          value: 'probe-29.internal.example',
        }),
      );
    });

    it('tests a connection only with the manage permission, a few times a minute', async () => {
      const denied = await start(permissionsAllowing('mailer.settings.read'));
      await request(denied.server)
        .post('/api/mailer/connection-test')
        .send({ values: validSettings })
        .expect(403);

      const { server } = await start();
      const values = {
        ...validSettings,
        'SMTP.Server': smtp.host,
        'SMTP.Port': String(smtp.port),
        'SMTP.Security': 'none',
      };
      const first = await request(server)
        .post('/api/mailer/connection-test')
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/tester'),
        )
        .send({ values })
        .expect(200);
      expect(first.body).toMatchObject({
        outcome: 'success',
        messageSent: false,
      });
      for (let i = 1; i < 10; i++) {
        await request(server)
          .post('/api/mailer/connection-test')
          .set(
            'Authorization',
            mockCredentials.user.header('user:default/tester'),
          )
          .send({ values })
          .expect(200);
      }
      const limited = await request(server)
        .post('/api/mailer/connection-test')
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/tester'),
        )
        .send({ values });
      expect(limited.status).toBe(429);
      expect(limited.body.error.message).toContain(
        'At most 10 connection tests a minute',
      );
      // Another admin is not held up by the first one's tests.
      await request(server)
        .post('/api/mailer/connection-test')
        .set('Authorization', mockCredentials.user.header('user:default/other'))
        .send({ values })
        .expect(200);
    });

    it('refuses to remove an unknown key with 400, and audits it without the caller’s text', async () => {
      const { server } = await start();
      captured.auditEvents.length = 0;
      const response = await request(server)
        .delete('/api/mailer/settings/SMTP.Nope')
        .expect(400);
      expect(response.body.error.message).toContain('SMTP.Nope');
      const [initiated] = captured.auditEvents;
      expect(initiated).toMatchObject({
        eventId: 'settings-update',
        meta: { tenantId: 'default', keys: [], unknownKeys: 1, removed: true },
      });
      expect(JSON.stringify(initiated)).not.toContain('SMTP.Nope');
    });
  },
);
