import { DkimKeyResponse } from '@elixeum/plugin-mailer-common';
import {
  DnsTestServer,
  OAuthTestEndpoint,
  SmtpTestServer,
} from '@internal/smtp-test-server';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { signedFields, verifyDkim } from './__testUtils__/dkimVerifier';
import {
  readStoredSecret,
  startMailerTestBackend,
  testEncryptionKey,
} from './__testUtils__/mailerTestBackend';
import { eventually } from './__testUtils__/outboxHarness';
import { saveSettings } from './__testUtils__/saveSettings';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { waitForPause } from './__testUtils__/waitForPause';
import { SecretCipher } from './crypto/SecretCipher';
import { ConfigReader } from '@backstage/config';
import { secretContext } from './service/TenantSettingsService';

// A tenant's DKIM key, made by the portal and stored like the password:
// every message through the tenant's server is signed with it, over SMTP
// and through Microsoft Graph, and a key that cannot sign stops the mail
// with the reason instead of letting it go unsigned.

const databases = createTestDatabases();
jest.setTimeout(60_000);

let smtp: SmtpTestServer;
let dns: DnsTestServer;
beforeEach(async () => {
  smtp = await SmtpTestServer.start();
  dns = await DnsTestServer.start({});
});
afterEach(async () => {
  await smtp.close();
  await dns.close();
});

async function start(databaseId: Parameters<typeof databases.init>[0]) {
  const consumer = createConsumerPlugin();
  const started = await startMailerTestBackend(databases, databaseId, {
    defaultServer: { host: '127.0.0.1', port: 1 },
    features: [consumer.plugin],
  });
  await saveSettings(started.server, {
    'SMTP.Server': smtp.host,
    'SMTP.Port': String(smtp.port),
    'SMTP.Security': 'none',
    'SMTP.AuthMethod': 'none',
    'SMTP.From': 'letters@tenant.example',
  });
  return { ...started, mailer: consumer.mailer() };
}

describe.each(databases.eachSupportedId())('DKIM signing on %s', databaseId => {
  it('makes a 2048-bit key in the backend, shows the record to publish and never the key, and signs mail that verifies once the record is published', async () => {
    const { server, mailer, knex } = await start(databaseId);

    const made = await request(server)
      .post('/api/mailer/dkim-key')
      .send({ selector: 'news2026' })
      .expect(200);
    const { key } = made.body as DkimKeyResponse;
    expect(key).toMatchObject({
      domain: 'tenant.example',
      selector: 'news2026',
      name: 'news2026._domainkey.tenant.example',
      bits: 2048,
    });
    expect(key!.value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+$/);
    // DNS holds at most 255 characters per string: a 2048-bit key needs two.
    expect(key!.strings.length).toBe(2);
    expect(key!.strings.every(s => s.length <= 255)).toBe(true);
    expect(key!.strings.join('')).toBe(key!.value);

    // Stored encrypted, shown as set, never returned.
    const stored = await readStoredSecret(
      knex,
      'default',
      'SMTP.DKIM.PrivateKey',
    );
    expect(stored).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const settings = await request(server).get('/api/mailer/settings');
    expect(settings.body.settings).toEqual(
      expect.arrayContaining([
        { key: 'SMTP.DKIM.PrivateKey', set: true, secret: true },
        {
          key: 'SMTP.DKIM.Domain',
          value: 'tenant.example',
          set: true,
          secret: false,
        },
      ]),
    );
    const shown = await request(server).get('/api/mailer/dkim-key').expect(200);
    expect(shown.body).toEqual(made.body);
    const history = await request(server).get('/api/mailer/settings/history');
    expect(JSON.stringify(history.body)).toContain('SMTP.DKIM.PrivateKey');

    await mailer.send({
      to: 'reader@example.com',
      subject: 'Signed',
      text: 'Hello',
    });
    const [received] = await smtp.waitForMessages(1, 10_000);
    // Not published yet: receivers cannot verify it.
    expect((await verifyDkim(received.raw, dns))[0].result).not.toBe('pass');
    dns.setZone({ [key!.name]: { TXT: [key!.strings] } });
    expect(await verifyDkim(received.raw, dns)).toEqual([
      expect.objectContaining({
        domain: 'tenant.example',
        selector: 'news2026',
        result: 'pass',
      }),
    ]);
  });

  it('signs bulk mail with both unsubscribe headers in h=, and transactional mail without them', async () => {
    const { server, mailer } = await start(databaseId);
    const made = await request(server)
      .post('/api/mailer/dkim-key')
      .send({})
      .expect(200);
    const { key } = made.body as DkimKeyResponse;
    // A fresh selector when none is given, named after the day.
    expect(key!.selector).toMatch(/^portal-\d{8}$/);
    dns.setZone({ [key!.name]: { TXT: [key!.strings] } });

    await mailer.sendBulk(
      { subject: 'News', text: 'Leave: {{unsubscribeUrl}}' },
      [{ to: 'reader@example.com' }],
    );
    const [bulk] = await smtp.waitForMessages(1, 10_000);
    await mailer.send({
      to: 'reader@example.com',
      subject: 'Reset',
      text: 'x',
    });
    const [, transactional] = await smtp.waitForMessages(2, 10_000);

    for (const received of [bulk, transactional]) {
      const [result] = await verifyDkim(received.raw, dns);
      expect(result).toMatchObject({
        domain: 'tenant.example',
        result: 'pass',
      });
    }
    expect(bulk.raw).toMatch(
      /^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m,
    );
    expect(signedFields(bulk.raw)).toEqual(
      expect.arrayContaining([
        'from',
        'subject',
        'list-id',
        'list-unsubscribe',
        'list-unsubscribe-post',
      ]),
    );
    expect(signedFields(transactional.raw)).not.toContain('list-unsubscribe');
  });

  it('pauses the tenant with the reason, and sends nothing, when the stored key cannot sign', async () => {
    const { server, mailer, knex } = await start(databaseId);
    await request(server)
      .post('/api/mailer/dkim-key')
      .send({ selector: 'news2026' })
      .expect(200);
    // A stored key that no longer signs (written past the save's checks).
    const cipher = SecretCipher.fromConfig(
      new ConfigReader({
        mailer: {
          encryption: { keys: [{ id: 'test-1', secret: testEncryptionKey }] },
        },
      }),
    );
    const broken = cipher.encrypt(
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      secretContext('default', 'SMTP.DKIM.PrivateKey'),
    );
    await knex('mailer_settings')
      .where({ tenant_id: 'default', setting_key: 'SMTP.DKIM.PrivateKey' })
      .update({ value: broken.ciphertext, encryption_key_id: broken.keyId });
    // Any save makes the worker read the settings again at once.
    await saveSettings(server, { 'SMTP.FromName': 'Tenant letters' });

    const { id } = await mailer.send({
      to: 'reader@example.com',
      subject: 'Never unsigned',
      text: 'Hello',
    });
    const summary = await waitForPause(server);
    expect(summary.pause?.reason).toBe(
      "The tenant's SMTP settings cannot be used: SMTP.DKIM.PrivateKey is not a private key that can be read",
    );
    expect(summary.pause?.reply?.code).toBe('ESETTINGS');
    expect(smtp.messages).toHaveLength(0);
    expect(smtp.connections.opened).toBe(0);
    const row = await knex('mailer_outbox').where({ id }).first();
    expect(row.state).toBe('waiting');

    // A new key: the waiting mail goes, signed.
    await request(server)
      .post('/api/mailer/dkim-key')
      .send({ selector: 'news2027' })
      .expect(200);
    const [received] = await smtp.waitForMessages(1, 15_000);
    expect(received.raw).toMatch(/^DKIM-Signature: .*s=news2027/ms);
  });

  it('refuses to save a key that cannot sign, saying why', async () => {
    const { server } = await start(databaseId);
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const refused = await request(server)
      .put('/api/mailer/settings')
      .send({
        values: {
          'SMTP.DKIM.Domain': 'tenant.example',
          'SMTP.DKIM.Selector': 'news',
          'SMTP.DKIM.PrivateKey': ec,
        },
      })
      .expect(400);
    expect(refused.body.error.message).toBe(
      'Invalid settings: SMTP.DKIM.PrivateKey must be an RSA key, not ec',
    );
  });
});

describe('DKIM signing through Microsoft Graph', () => {
  it('hands Graph the signed MIME, whose signature verifies', async () => {
    const app = {
      tenantId: 'contoso-tenant',
      clientId: 'graph-app-id',
      clientSecret: 'graph-App-secret-value',
    };
    const endpoint = await OAuthTestEndpoint.start({ microsoft: app });
    try {
      const consumer = createConsumerPlugin();
      const { server } = await startMailerTestBackend(databases, 'SQLITE_3', {
        defaultServer: { host: '127.0.0.1', port: 1 },
        features: [consumer.plugin],
        config: {
          oauth: { microsoft: { authority: endpoint.baseUrl } },
          graph: { baseUrl: endpoint.baseUrl },
        },
      });
      // A key pasted in, as from another tool.
      const { privateKey, publicKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
      });
      await saveSettings(server, {
        'SMTP.Transport': 'microsoft-graph',
        'SMTP.Username': 'portal@contoso.example',
        'SMTP.OAuth.TenantId': app.tenantId,
        'SMTP.OAuth.ClientId': app.clientId,
        'SMTP.OAuth.ClientSecret': app.clientSecret,
        'SMTP.DKIM.Domain': 'contoso.example',
        'SMTP.DKIM.Selector': 'portal',
        'SMTP.DKIM.PrivateKey': privateKey
          .export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      });
      const shown = await request(server).get('/api/mailer/dkim-key');
      const { key } = shown.body as DkimKeyResponse;
      expect(key?.value).toBe(
        `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
      );
      dns.setZone({ [key!.name]: { TXT: [key!.strings] } });

      await consumer.mailer().send({
        to: 'alice@example.com',
        bcc: 'bob@example.com',
        subject: 'Through Graph',
        text: 'Hello',
      });
      await eventually(() => endpoint.graphRequests.length === 1, 10_000);
      const [sent] = endpoint.graphRequests;
      expect(sent.mime).toMatch(/^DKIM-Signature: /);
      expect(await verifyDkim(sent.mime, dns)).toEqual([
        expect.objectContaining({
          domain: 'contoso.example',
          selector: 'portal',
          result: 'pass',
        }),
      ]);
    } finally {
      await endpoint.close();
    }
  });
});
