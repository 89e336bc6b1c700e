import { SenderCheckResult } from '@elixeum/plugin-mailer-common';
import { DnsTestServer, SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { saveSettings } from './__testUtils__/saveSettings';
import { dkimKeyPair, senderDnsZone } from './__testUtils__/senderDnsZone';
import { createTestDatabases } from './__testUtils__/testDatabases';

const databases = createTestDatabases();
const keys = {
  exchange: dkimKeyPair().publicKey,
  portal: dkimKeyPair().publicKey,
  other: dkimKeyPair().publicKey,
};
let dns: DnsTestServer;
let smtp: SmtpTestServer;

beforeAll(async () => {
  dns = await DnsTestServer.start(senderDnsZone(keys));
  smtp = await SmtpTestServer.start();
});
afterAll(async () => {
  await dns.close();
  await smtp.close();
});

/** Exchange Online's settings for a sender; its name resolves to a public address and is never connected to. */
const office365 = (from: string) => ({
  'SMTP.Server': 'smtp.office365.com',
  'SMTP.Port': '587',
  'SMTP.Username': from,
  'SMTP.Password': 'office365-Password-1',
});

async function start(defaultFrom = 'no-reply@nodmarc.test') {
  const { server } = await startMailerTestBackend(databases, 'SQLITE_3', {
    defaultServer: {
      host: smtp.host,
      port: smtp.port,
      extra: { from: defaultFrom },
    },
    config: { senderCheck: { dnsServers: [dns.address], timeout: '1s' } },
    dns: host => (host === 'smtp.office365.com' ? '52.96.0.1' : undefined),
  });
  const senderCheck = async (body: object = {}) =>
    (await request(server).post('/api/mailer/sender-check').send(body))
      .body as SenderCheckResult & { error?: { message: string } };
  return { server, senderCheck };
}

const statuses = (result: SenderCheckResult) =>
  Object.fromEntries(result.checks.map(c => [c.check, c.status]));

describe('POST /sender-check', () => {
  it("checks the default mailbox's sender while the tenant has no server of its own", async () => {
    const { senderCheck } = await start();
    const result = await senderCheck();
    expect(result).toMatchObject({
      sender: 'no-reply@nodmarc.test',
      domain: 'nodmarc.test',
      server: 'default',
    });
    expect(statuses(result)).toMatchObject({ dmarc: 'fail' });
  });

  it('checks the saved settings, and the form being edited without saving it', async () => {
    const { server, senderCheck } = await start();
    await saveSettings(server, office365('portal@compliant.test'));

    const saved = await senderCheck();
    expect(saved).toMatchObject({
      sender: 'portal@compliant.test',
      server: 'custom',
    });
    expect(statuses(saved)).toEqual({
      sender: 'pass',
      spf: 'pass',
      dkim: 'pass',
      dmarc: 'pass',
      alignment: 'pass',
    });

    const edited = await senderCheck({
      values: { 'SMTP.From': 'portal@nodmarc.test' },
    });
    expect(edited.sender).toBe('portal@nodmarc.test');
    expect(statuses(edited)).toMatchObject({ sender: 'warn', dmarc: 'fail' });
    // Nothing was saved.
    expect((await senderCheck()).sender).toBe('portal@compliant.test');
  });

  it('answers from the last few minutes unless asked to refresh, and never keeps "could not check"', async () => {
    const { server, senderCheck } = await start();
    await saveSettings(server, office365('portal@compliant.test'));

    await senderCheck();
    const asked = dns.queries.length;
    const again = await senderCheck();
    expect(dns.queries.length).toBe(asked);
    expect(statuses(again).dmarc).toBe('pass');

    await senderCheck({ refresh: true });
    expect(dns.queriesFor('_dmarc.compliant.test').length).toBeGreaterThan(1);

    const slow = { values: { 'SMTP.From': 'portal@slow.test' } };
    expect(statuses(await senderCheck(slow)).dmarc).toBe('unchecked');
    const before = dns.queriesFor('_dmarc.slow.test').length;
    expect(statuses(await senderCheck(slow)).dmarc).toBe('unchecked');
    expect(dns.queriesFor('_dmarc.slow.test').length).toBeGreaterThan(before);
  });

  it('refuses settings a save would refuse, and unknown fields', async () => {
    const { senderCheck } = await start();
    const bad = await senderCheck({
      values: { 'SMTP.From': 'not an address' },
    });
    expect(bad.error?.message).toContain('SMTP.From');
    const unknown = await senderCheck({ domain: 'anything.test' });
    expect(unknown.error?.message).toBeDefined();
  });
});
