import {
  deliverabilityOf,
  SenderCheckItem,
  SenderCheckResult,
} from '@elixeum/plugin-mailer-common';
import { DnsTestServer } from '@internal/smtp-test-server';
import {
  dkimKeyPair,
  dkimTxt,
  senderDnsZone,
} from '../__testUtils__/senderDnsZone';
import { runSenderCheck, SenderCheckTarget } from './runSenderCheck';
import { SenderDns } from './senderDns';

const exchange = dkimKeyPair();
const portal = dkimKeyPair();
const other = dkimKeyPair();
let dns: DnsTestServer;

beforeAll(async () => {
  dns = await DnsTestServer.start(
    senderDnsZone({
      exchange: exchange.publicKey,
      portal: portal.publicKey,
      other: other.publicKey,
    }),
  );
});
afterAll(() => dns.close());

const EXCHANGE = { host: 'smtp.office365.com' };

async function check(
  from: string,
  server: Partial<SenderCheckTarget> = EXCHANGE,
  timeoutMs = 3000,
): Promise<SenderCheckResult> {
  const resolver = new SenderDns({ servers: [dns.address], timeoutMs });
  return runSenderCheck(
    {
      server: 'custom',
      from,
      host: 'smtp.example.net',
      login: from,
      ...server,
    },
    resolver.session(),
  );
}

function item(result: SenderCheckResult, name: SenderCheckItem['check']) {
  const found = result.checks.find(c => c.check === name);
  if (!found) throw new Error(`No ${name} check in the result`);
  return found;
}

describe('the sender check, against a DNS server on loopback', () => {
  it('passes a compliant domain (SPF ~all including Exchange Online, its DKIM, DMARC p=reject) and calls it ready for bulk mail', async () => {
    const result = await check('portal@compliant.test');

    expect(result.checks.map(c => [c.check, c.status])).toEqual([
      ['sender', 'pass'],
      ['spf', 'pass'],
      ['dkim', 'pass'],
      ['dmarc', 'pass'],
      ['alignment', 'pass'],
    ]);
    expect(item(result, 'spf').message).toBe(
      'One SPF record, ending in ~all, including Exchange Online; 1 of 10 DNS lookups.',
    );
    expect(item(result, 'dkim').message).toContain(
      'selector1 and selector2 of compliant.test point to Exchange Online',
    );
    expect(item(result, 'dmarc').message).toBe(
      'DMARC p=reject at _dmarc.compliant.test (DKIM alignment strict, SPF alignment relaxed).',
    );
    expect(item(result, 'alignment').message).toBe(
      'compliant.test aligns with DKIM (d=compliant.test) and SPF (envelope compliant.test).',
    );
    expect(deliverabilityOf(result.checks)).toEqual({
      ready: true,
      summary: 'Ready for bulk mail',
      missing: [],
    });
    // The records were asked of the configured server, and only of it.
    expect(dns.queriesFor('_dmarc.compliant.test')).not.toHaveLength(0);
  });

  it('fails a domain without DMARC, with the record to publish, and says what bulk mail misses', async () => {
    const result = await check('portal@nodmarc.test');

    expect(item(result, 'dmarc')).toEqual({
      check: 'dmarc',
      status: 'fail',
      message:
        'nodmarc.test has no DMARC record (looked for _dmarc.nodmarc.test): Gmail, Yahoo and Outlook.com require one of bulk senders.',
      advice: expect.stringContaining(
        'Publish the TXT record _dmarc.nodmarc.test: v=DMARC1; p=none',
      ),
      record: {
        name: '_dmarc.nodmarc.test',
        type: 'TXT',
        value: 'v=DMARC1; p=none',
      },
    });
    expect(item(result, 'spf').status).toBe('pass');
    expect(item(result, 'dkim').status).toBe('pass');
    // DMARC's default alignment is relaxed, and DKIM signs for the domain.
    expect(item(result, 'alignment').status).toBe('pass');
    expect(deliverabilityOf(result.checks).summary).toBe(
      'Not ready for bulk mail: no valid DMARC record',
    );
  });

  it('passes p=none with a note', async () => {
    const result = await check('portal@nonepolicy.test');
    expect(item(result, 'dmarc')).toMatchObject({
      status: 'pass',
      message: expect.stringContaining('DMARC p=none'),
      advice: expect.stringContaining('Move to p=quarantine'),
    });
  });

  it('fails two SPF records, with the one record that replaces them', async () => {
    const result = await check('portal@twospf.test');
    expect(item(result, 'spf')).toEqual({
      check: 'spf',
      status: 'fail',
      message:
        'twospf.test has 2 SPF records; receivers treat that as an error and SPF fails.',
      advice:
        'Replace them with one record: v=spf1 include:spf.protection.outlook.com ip4:203.0.113.7 -all',
      record: {
        name: 'twospf.test',
        type: 'TXT',
        value: 'v=spf1 include:spf.protection.outlook.com ip4:203.0.113.7 -all',
      },
    });
  });

  it('fails an SPF record over the 10-lookup limit', async () => {
    const result = await check('portal@manylookups.test');
    expect(item(result, 'spf')).toMatchObject({
      status: 'fail',
      message:
        'The SPF record of manylookups.test needs more than 10 DNS lookups (include, a, mx, exists, redirect); receivers stop there and SPF fails.',
      advice: expect.stringContaining('Remove includes'),
    });
    // Receivers stop at the 11th lookup; so did the check.
    expect(dns.queriesFor('l11.manylookups.test')).toHaveLength(0);
  });

  it("fails an SPF record that does not include the provider's, with the record that does", async () => {
    const result = await check('portal@googleonly.test');
    expect(item(result, 'spf')).toMatchObject({
      status: 'fail',
      message:
        'The SPF record of googleonly.test does not include Exchange Online (include:spf.protection.outlook.com): its mail fails SPF.',
      record: {
        name: 'googleonly.test',
        type: 'TXT',
        value:
          'v=spf1 include:_spf.google.com include:spf.protection.outlook.com ~all',
      },
    });
    // Google Workspace's own include is all it needs.
    const google = await check('portal@googleonly.test', {
      host: 'smtp.gmail.com',
    });
    expect(item(google, 'spf').status).toBe('pass');
    expect(item(google, 'dkim')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining(
        'There is no DKIM record at google._domainkey.googleonly.test',
      ),
    });
  });

  it("checks the portal's own DKIM key: a matching record passes, another key fails with the exact record", async () => {
    const ownKey = (domain: string) => ({
      domain,
      selector: 'portal',
      key: portal.publicPem,
    });
    const good = await check('portal@compliant.test', {
      host: 'smtp.example.net',
      dkimKey: ownKey('compliant.test'),
    });
    expect(item(good, 'dkim')).toEqual({
      check: 'dkim',
      status: 'pass',
      message:
        'The DKIM record portal._domainkey.compliant.test holds the 2048-bit key the portal signs with (d=compliant.test).',
    });

    const bad = await check('portal@mismatch.test', {
      host: 'smtp.example.net',
      dkimKey: ownKey('mismatch.test'),
    });
    const expected = dkimTxt(portal.publicKey);
    expect(item(bad, 'dkim')).toEqual({
      check: 'dkim',
      status: 'fail',
      message:
        'The DKIM record portal._domainkey.mismatch.test holds another key than the one the portal signs with: receivers cannot verify its signatures.',
      advice: `Replace the TXT record portal._domainkey.mismatch.test with: ${expected}`,
      record: {
        name: 'portal._domainkey.mismatch.test',
        type: 'TXT',
        value: expected,
      },
    });
    expect(deliverabilityOf(bad.checks).ready).toBe(false);
  });

  it('says "could not check", never pass, when DNS does not answer in time', async () => {
    const started = Date.now();
    const result = await check('portal@slow.test', EXCHANGE, 600);

    expect(Date.now() - started).toBeLessThan(5000);
    for (const name of ['spf', 'dkim', 'dmarc', 'alignment'] as const) {
      expect([name, item(result, name).status]).toEqual([name, 'unchecked']);
    }
    expect(item(result, 'spf').message).toBe(
      'Could not read the SPF record of slow.test: the DNS did not answer.',
    );
    expect(deliverabilityOf(result.checks).summary).toBe(
      'Not ready for bulk mail: SPF could not be checked; DKIM could not be checked; DMARC could not be checked; alignment could not be checked',
    );
  });

  it('fails a domain that does not exist (NXDOMAIN)', async () => {
    const result = await check('portal@missing.test');
    expect(item(result, 'spf')).toMatchObject({
      status: 'fail',
      message:
        'The domain missing.test does not exist in DNS: receivers refuse mail from it.',
    });
    expect(item(result, 'dmarc')).toMatchObject({
      status: 'fail',
      message: 'The domain missing.test does not exist in DNS.',
    });
    expect(item(result, 'dkim').status).toBe('fail');
    expect(item(result, 'alignment').status).toBe('fail');
  });

  it('cannot know the DKIM selector of another server, and says so', async () => {
    const result = await check('portal@compliant.test', {
      host: 'mail.example.net',
    });
    expect(item(result, 'dkim')).toMatchObject({
      status: 'unchecked',
      message:
        'Which DKIM selector mail.example.net signs with is not known to the portal, so DKIM was not checked.',
    });
    expect(item(result, 'spf')).toMatchObject({
      status: 'pass',
      advice: expect.stringContaining(
        'Whether it lists the servers of mail.example.net could not be checked',
      ),
    });
    expect(item(result, 'alignment').status).toBe('unchecked');
  });

  it('warns of a From address that is not the login, and of a free-mail address', async () => {
    const sendAs = await check('news@compliant.test', {
      ...EXCHANGE,
      login: 'portal@compliant.test',
    });
    expect(item(sendAs, 'sender')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('SendAsDenied'),
    });
    // A warning of the sender alone does not stop bulk mail.
    expect(deliverabilityOf(sendAs.checks).ready).toBe(true);

    const free = await check('someone@gmail.com', { host: 'smtp.gmail.com' });
    expect(item(free, 'sender')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('is a free-mail address'),
    });
  });
});
