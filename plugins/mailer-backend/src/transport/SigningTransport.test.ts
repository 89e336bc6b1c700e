import { DnsTestServer, SmtpTestServer } from '@internal/smtp-test-server';
import MailComposer from 'nodemailer/lib/mail-composer';
import { generateKeyPairSync } from 'node:crypto';
import { signedFields, verifyDkim } from '../__testUtils__/dkimVerifier';
import { DkimSigner } from '../dkim/DkimSigner';
import { failureScope } from '../delivery/failureScope';
import { OAuthTokens } from '../oauth/OAuthTokens';
import { systemResolver } from '../smtp/openSmtpSocket';
import { readSmtpFailure } from '../smtp/readSmtpFailure';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { SmtpConnectionPool } from '../smtp/SmtpConnectionPool';
import { SigningTransport } from './SigningTransport';
import { SmtpAttemptError } from './SmtpAttemptError';
import { transportFor } from './transportFor';

// DKIM signing on the way to a real SMTP server, verified by a real
// verifier (mailauth) against a DNS server on loopback.

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
});
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const txt = `v=DKIM1; k=rsa; p=${publicKey
  .export({ type: 'spki', format: 'der' })
  .toString('base64')}`;
const dkim = { domain: 'news.example', selector: 's2026', privateKey: pem };

let smtp: SmtpTestServer;
let dns: DnsTestServer;
beforeAll(async () => {
  smtp = await SmtpTestServer.start();
  dns = await DnsTestServer.start({
    's2026._domainkey.news.example': { TXT: [txt] },
  });
});
afterEach(() => smtp.reset());
afterAll(async () => {
  await smtp.close();
  await dns.close();
});

function server(extra: Partial<SmtpServerSettings> = {}): SmtpServerSettings {
  return {
    host: smtp.host,
    port: smtp.port,
    security: 'none',
    from: 'letters@news.example',
    ...extra,
  };
}

const options = {
  maxConnections: 2,
  connectionTimeoutMs: 2000,
  socketTimeoutMs: 5000,
  idleTimeoutMs: 5000,
  resolve: systemResolver,
  extraCaCertificates: [],
  allowInsecureAuth: true,
  tokens: new OAuthTokens({
    microsoftAuthority: 'https://127.0.0.1:1',
    googleTokenUrl: 'https://127.0.0.1:1/token',
    extraCaCertificates: [],
    timeoutMs: 1000,
  }),
  graphBaseUrl: 'https://127.0.0.1:1',
};

function compose(headers?: Record<string, string>) {
  return new MailComposer({
    from: 'letters@news.example',
    to: 'reader@example.com',
    subject: 'The December letter',
    text: 'Hello',
    html: '<p>Hello</p>',
    headers,
  }).compile();
}

describe('a transport for settings with a DKIM key', () => {
  it('signs every message; the signature verifies against the published record and covers both unsubscribe headers when the message has them', async () => {
    const transport = transportFor(server({ dkim }), 'tenant', options);
    expect(transport).toBeInstanceOf(SigningTransport);
    const list = compose({
      'List-Unsubscribe': '<https://portal.example/unsubscribe/abc>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    const plain = compose();
    for (const message of [list, plain]) {
      await transport.send(
        { from: 'letters@news.example', to: ['reader@example.com'] },
        () => message.createReadStream(),
      );
    }
    transport.close();
    const [withList, without] = await smtp.waitForMessages(2);

    for (const received of [withList, without]) {
      expect(await verifyDkim(received.raw, dns)).toEqual([
        expect.objectContaining({
          domain: 'news.example',
          selector: 's2026',
          result: 'pass',
        }),
      ]);
    }
    expect(signedFields(withList.raw)).toEqual(
      expect.arrayContaining([
        'from',
        'to',
        'subject',
        'date',
        'message-id',
        'list-unsubscribe',
        'list-unsubscribe-post',
      ]),
    );
    expect(signedFields(without.raw)).not.toContain('list-unsubscribe');
  });

  it('makes a signature that fails once the message is changed on the way, so the check above can fail', async () => {
    const transport = transportFor(server({ dkim }), 'tenant', options);
    const message = compose();
    await transport.send(
      { from: 'letters@news.example', to: ['reader@example.com'] },
      () => message.createReadStream(),
    );
    transport.close();
    const [received] = await smtp.waitForMessages(1);
    const tampered = received.raw.replace(
      'Subject: The December letter',
      'Subject: The January letter',
    );
    const [result] = await verifyDkim(tampered, dns);
    expect(result.result).toBe('fail');
  });

  it('cannot be made from a key that cannot sign: it says why, without the key', () => {
    const { privateKey: ec } = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
    });
    const broken = [
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      ec.export({ type: 'pkcs8', format: 'pem' }).toString(),
      generateKeyPairSync('rsa', { modulusLength: 512 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    ];
    const problems = broken.map(key => {
      try {
        transportFor(
          server({ dkim: { ...dkim, privateKey: key } }),
          't',
          options,
        );
        return 'built';
      } catch (error) {
        return (error as Error).message;
      }
    });
    // Never a word of the key itself.
    expect(problems.filter(p => p.includes('BEGIN'))).toEqual([]);
    expect(problems).toEqual([
      'SMTP.DKIM.PrivateKey is not a private key that can be read',
      'SMTP.DKIM.PrivateKey must be an RSA key, not ec',
      'SMTP.DKIM.PrivateKey has 512 bits; receivers refuse RSA keys shorter than 1024 bits',
    ]);
  });

  it('refuses to send a message nodemailer left unsigned, as a failure of the server before it is reached', async () => {
    // nodemailer signs nothing, and says nothing, when its key cannot make
    // an rsa-sha256 signature: an Ed25519 key is one.
    const { privateKey: ed25519 } = generateKeyPairSync('ed25519');
    const pool = new SmtpConnectionPool(server(), {
      maxConnections: 1,
      connectionTimeoutMs: 2000,
      greetingTimeoutMs: 2000,
      socketTimeoutMs: 5000,
      idleTimeoutMs: 5000,
      resolve: systemResolver,
      allowInsecureAuth: true,
      tls: {},
    });
    const transport = new SigningTransport(
      pool,
      new DkimSigner(dkim, ed25519),
      1,
    );
    const opened = smtp.connections.opened;
    const message = compose();
    const sent = transport.send(
      { from: 'letters@news.example', to: ['reader@example.com'] },
      () => message.createReadStream(),
    );
    await expect(sent).rejects.toBeInstanceOf(SmtpAttemptError);
    const error = await sent.catch(e => e);
    const failure = readSmtpFailure(error, server());
    expect(failure).toMatchObject({ code: 'EDKIM', stage: 'connect' });
    expect(failure.text).toMatch(
      /did not sign the message, so it was not sent/,
    );
    // Read as the server's failure: the lane pauses, nothing is failed.
    expect(failureScope(failure, server())).toMatchObject({
      scope: 'server',
      duringMessage: false,
    });
    expect(smtp.connections.opened).toBe(opened);
    expect(smtp.messages).toHaveLength(0);
    expect(transport.busy).toBe(0);
    transport.close();
  });
});
