import { mockCredentials } from '@backstage/backend-test-utils';
import {
  keyApplies,
  SECRET_BOUND_KEYS,
  SettingKeyDefinition,
  settingKeyCatalog,
} from '@elixeum/plugin-mailer-common';
import { createSelfSignedCertificate } from '@internal/smtp-test-server';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';

// Generated from the key catalog: for every key a stored secret is bound to,
// and every secret it binds, a change of the key without the secret entered
// again is refused, on the settings route and in the connection test.

const databases = createTestDatabases();
jest.setTimeout(60_000);

/**
 * The keys that decide where, and how, a secret travels, as the README's
 * security model promises them. Written out here rather than read from the
 * catalog's `bindsSecrets` flag: a key that lost its flag must fail this
 * test, not drop out of it.
 */
const PROMISED_BINDING_KEYS = [
  'SMTP.Server',
  'SMTP.Port',
  'SMTP.Username',
  'SMTP.Security',
  'SMTP.AuthMethod',
  'SMTP.Transport',
  'SMTP.TLS.CA',
  'SMTP.TLS.RejectUnauthorized',
  'SMTP.OAuth.Provider',
  'SMTP.OAuth.TenantId',
  'SMTP.OAuth.ClientId',
  'SMTP.OAuth.ServiceAccountEmail',
  'SMTP.OAuth.TokenUrl',
];
/**
 * The other keys that are not secrets: who the mail is from, how fast it
 * goes, and the domain and selector it is signed for (a key signing for
 * another domain is no use to anyone without that domain's DNS).
 */
const FREE_KEYS = [
  'SMTP.HeloName',
  'SMTP.From',
  'SMTP.FromName',
  'SMTP.ReplyTo',
  'SMTP.RateLimit',
  'SMTP.UnsubscribeMailbox',
  'SMTP.DailyLimit',
  'SMTP.LimitPreset',
  'SMTP.DKIM.Domain',
  'SMTP.DKIM.Selector',
];

const rsaKey = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
const privateKey = rsaKey();
const storedCa = createSelfSignedCertificate().cert;
const otherCa = createSelfSignedCertificate().cert;

/**
 * The secrets as stored; none is sent again in a change. Every secret of
 * the catalog must be here (checked below), so a new one is covered.
 */
const SECRETS: Record<string, string> = {
  'SMTP.Password': 'stored-Password-of-the-tenant',
  'SMTP.OAuth.ClientSecret': 'stored-Client-secret-of-the-app',
  'SMTP.OAuth.PrivateKey': privateKey,
  'SMTP.OAuth.RefreshToken': 'stored-Refresh-token-of-the-mailbox',
  // Bound too: it must not sign mail that goes to someone else's server.
  'SMTP.DKIM.PrivateKey': rsaKey(),
};

/** A DKIM key stored with a setup: it signs whatever goes to that server. */
const dkim = {
  'SMTP.DKIM.Domain': 'tenant.example',
  'SMTP.DKIM.Selector': 'portal',
  'SMTP.DKIM.PrivateKey': SECRETS['SMTP.DKIM.PrivateKey'],
};

const tls = {
  'SMTP.TLS.CA': storedCa,
  'SMTP.TLS.RejectUnauthorized': 'true',
};
const smtp = {
  'SMTP.Server': '127.0.0.1',
  'SMTP.Port': '587',
  'SMTP.Security': 'starttls',
  'SMTP.Username': 'mailer@tenant.example',
  'SMTP.Transport': 'smtp',
  ...tls,
};

/** One stored setup for each way secrets are kept, with every key that applies to it. */
const SETUPS: Record<string, Record<string, string>> = {
  password: {
    ...smtp,
    'SMTP.AuthMethod': 'login',
    'SMTP.Password': SECRETS['SMTP.Password'],
    ...dkim,
  },
  'Microsoft OAuth2 over SMTP': {
    ...smtp,
    'SMTP.AuthMethod': 'xoauth2',
    'SMTP.OAuth.Provider': 'microsoft',
    'SMTP.OAuth.TenantId': 'contoso.onmicrosoft.com',
    'SMTP.OAuth.ClientId': 'app-client-id',
    'SMTP.OAuth.ClientSecret': SECRETS['SMTP.OAuth.ClientSecret'],
  },
  'Microsoft Graph': {
    'SMTP.Transport': 'microsoft-graph',
    'SMTP.Username': 'mailer@tenant.example',
    'SMTP.OAuth.TenantId': 'contoso.onmicrosoft.com',
    'SMTP.OAuth.ClientId': 'app-client-id',
    'SMTP.OAuth.ClientSecret': SECRETS['SMTP.OAuth.ClientSecret'],
    ...dkim,
  },
  'a Google service account': {
    ...smtp,
    'SMTP.AuthMethod': 'xoauth2',
    'SMTP.OAuth.Provider': 'google',
    'SMTP.OAuth.ServiceAccountEmail': 'mailer@project.iam.gserviceaccount.com',
    'SMTP.OAuth.PrivateKey': SECRETS['SMTP.OAuth.PrivateKey'],
  },
  'a refresh token': {
    ...smtp,
    'SMTP.AuthMethod': 'xoauth2',
    'SMTP.OAuth.Provider': 'refresh-token',
    'SMTP.OAuth.ClientId': 'app-client-id',
    'SMTP.OAuth.ClientSecret': SECRETS['SMTP.OAuth.ClientSecret'],
    'SMTP.OAuth.TokenUrl': 'https://127.0.0.1/token',
    'SMTP.OAuth.RefreshToken': SECRETS['SMTP.OAuth.RefreshToken'],
  },
};

/**
 * Values a key could be changed to, by its type. Every other server is on
 * loopback, which the policy of this test allows, so a refusal can only come
 * from the binding; nothing listens there, so a test that wrongly went ahead
 * would fail quickly rather than hang.
 */
function otherValues(definition: SettingKeyDefinition, current: string) {
  switch (definition.type) {
    case 'choice':
      return definition.choices!.filter(choice => choice !== current);
    case 'serverAddress':
      return ['127.0.0.2'];
    case 'port':
      return [current === '2525' ? '25' : '2525'];
    case 'text':
      return [`${current}-elsewhere`];
    case 'email':
      return ['someone@elsewhere.example'];
    case 'httpsUrl':
      return ['https://127.0.0.2/elsewhere/token'];
    case 'certificates':
      return [otherCa];
    default:
      throw new Error(
        `No test value for ${definition.key} (${definition.type}): add one to otherValues`,
      );
  }
}

interface Case {
  key: string;
  value: string;
  /** The stored secrets the change would carry elsewhere: each must be asked for. */
  secrets: string[];
}

/** Every change of a binding key that keeps using a stored secret, for one setup. */
function casesOf(setup: Record<string, string>): Case[] {
  const before = new Map(
    Object.entries(setup).filter(([key]) => !(key in SECRETS)),
  );
  const stored = Object.keys(setup).filter(key => key in SECRETS);
  const cases: Case[] = [];
  const bindingKeys = new Set([...PROMISED_BINDING_KEYS, ...SECRET_BOUND_KEYS]);
  for (const definition of settingKeyCatalog) {
    if (!bindingKeys.has(definition.key) || !before.has(definition.key))
      continue;
    for (const value of otherValues(definition, before.get(definition.key)!)) {
      const after = new Map(before).set(definition.key, value);
      const secrets = stored.filter(secret =>
        keyApplies(
          settingKeyCatalog.find(d => d.key === secret)!,
          new Map([...after, [secret, 'set']]),
        ),
      );
      // A change that stops using every stored secret removes them instead
      // (tested in passwordBelongsToServer.test.ts).
      if (secrets.length > 0) {
        cases.push({ key: definition.key, value, secrets });
      }
    }
  }
  return cases;
}

const allCases = Object.entries(SETUPS).flatMap(([setup, values]) =>
  casesOf(values).map(c => ({ setup, ...c })),
);

describe('the keys a secret is bound to', () => {
  it('are the keys the README promises, and every other key is named as free', () => {
    expect([...SECRET_BOUND_KEYS].sort()).toEqual(
      [...PROMISED_BINDING_KEYS].sort(),
    );
    const notSecret = settingKeyCatalog
      .filter(d => !d.secret)
      .map(d => d.key)
      .sort();
    expect(notSecret).toEqual([...PROMISED_BINDING_KEYS, ...FREE_KEYS].sort());
  });

  it('cover every secret of the catalog', () => {
    expect(Object.keys(SECRETS).sort()).toEqual(
      settingKeyCatalog
        .filter(d => d.secret)
        .map(d => d.key)
        .sort(),
    );
  });

  it('each bind at least one stored secret in the generated cases, and every secret is bound', () => {
    expect([...new Set(allCases.map(c => c.key))].sort()).toEqual(
      [...PROMISED_BINDING_KEYS].sort(),
    );
    expect([...new Set(allCases.flatMap(c => c.secrets))].sort()).toEqual(
      Object.keys(SECRETS).sort(),
    );
  });
});

describe.each(databases.eachSupportedId())(
  'a change of a key a secret is bound to, without the secret, on %s',
  databaseId => {
    it.each(Object.keys(SETUPS))(
      'is refused for %s, on the settings route and in the connection test, and nothing changes',
      async setupName => {
        const { server, knex } = await startMailerTestBackend(
          databases,
          databaseId,
          {
            defaultServer: { host: '127.0.0.1', port: 1 },
            serverPolicy: {
              allowedHosts: [{ host: '127.0.0.0/8', ports: 'any' }],
            },
            config: {
              oauth: {
                microsoft: { authority: 'https://127.0.0.1:1' },
                google: { tokenUrl: 'https://127.0.0.1:1/token' },
              },
              graph: { baseUrl: 'https://127.0.0.1:1' },
            },
          },
        );
        // A user per request: settings changes and connection tests are
        // limited per user and minute.
        let users = 0;
        const asNextUser = () =>
          mockCredentials.user.header(`user:default/admin-${++users}`);
        await request(server)
          .put('/api/mailer/settings')
          .set('Authorization', asNextUser())
          .send({ values: SETUPS[setupName] })
          .expect(200);
        const storedRows = () =>
          knex('mailer_settings')
            .select('setting_key', 'value', 'encryption_key_id')
            .orderBy('setting_key');
        const before = await storedRows();
        expect(before.map(row => row.setting_key).sort()).toEqual(
          Object.keys(SETUPS[setupName]).sort(),
        );

        const unexpected: string[] = [];
        const cases = allCases.filter(c => c.setup === setupName);
        expect(cases.length).toBeGreaterThan(0);
        for (const { key, value, secrets } of cases) {
          // Absent or left blank: both keep the stored secret.
          for (const values of [
            { [key]: value },
            {
              [key]: value,
              ...Object.fromEntries(secrets.map(secret => [secret, ''])),
            },
          ]) {
            const routes: Array<[string, () => request.Test]> = [
              [
                'PUT /api/mailer/settings',
                () =>
                  request(server)
                    .put('/api/mailer/settings')
                    .set('Authorization', asNextUser())
                    .send({ values }),
              ],
              [
                'POST /api/mailer/connection-test',
                () =>
                  request(server)
                    .post('/api/mailer/connection-test')
                    .set('Authorization', asNextUser())
                    .send({ values, sendTo: 'admin@tenant.example' }),
              ],
            ];
            for (const [where, send] of routes) {
              const response = await send();
              const message: string = response.body?.error?.message ?? '';
              const asked = secrets.filter(secret =>
                message.includes(`${secret} must be entered again`),
              );
              if (response.status !== 400 || asked.length !== secrets.length) {
                unexpected.push(
                  `${where} with ${key} changed${
                    Object.keys(values).length > 1 ? ' and secrets blank' : ''
                  }: ${response.status}, asked for [${asked}] of [${secrets}]`,
                );
              }
            }
          }
        }
        expect(unexpected).toEqual([]);
        expect(await storedRows()).toEqual(before);
      },
    );
  },
);
