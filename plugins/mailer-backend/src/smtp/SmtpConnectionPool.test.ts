import {
  createSelfSignedCertificate,
  SmtpTestServer,
} from '@internal/smtp-test-server';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { eventually } from '../__testUtils__/outboxHarness';
import { systemResolver } from './openSmtpSocket';
import { readSmtpFailure } from './readSmtpFailure';
import { WHOLE_MESSAGE_BYTES } from './readWholeMessage';
import { SmtpAttemptError } from '../transport/SmtpAttemptError';
import { SmtpConnectionPool, SmtpPoolOptions } from './SmtpConnectionPool';
import { SmtpServerSettings } from './SmtpServerSettings';

const certificate = createSelfSignedCertificate();
const servers: SmtpTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => s.close()));
});

async function startServer(
  options: Parameters<typeof SmtpTestServer.start>[0] = {},
) {
  const server = await SmtpTestServer.start(options);
  servers.push(server);
  return server;
}

/** The server restarts on the same port: a connection kept to it is dead. */
async function restartOnSamePort(server: SmtpTestServer) {
  const port = server.port;
  await server.close();
  servers.splice(servers.indexOf(server), 1);
  return startServer({ port });
}

function poolFor(
  server: SmtpTestServer,
  settings: Partial<SmtpServerSettings> = {},
  options: Partial<SmtpPoolOptions> = {},
) {
  return new SmtpConnectionPool(
    {
      host: server.host,
      port: server.port,
      security: 'none',
      from: 'sender@example.com',
      ...settings,
    },
    {
      maxConnections: 2,
      connectionTimeoutMs: 2000,
      greetingTimeoutMs: 2000,
      socketTimeoutMs: 5000,
      idleTimeoutMs: 5000,
      resolve: systemResolver,
      tls: { ca: [certificate.cert] },
      allowInsecureAuth: true,
      ...options,
    },
  );
}

const message = (subject: string) => () =>
  Buffer.from(`Subject: ${subject}\r\n\r\nbody\r\n`);

describe('SmtpConnectionPool', () => {
  it('lets connections idle past the socket timeout without an uncaught exception or unhandled rejection', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        join(__dirname, '..', '__testUtils__', 'idlePoolChild.ts'),
      ],
      { timeout: 30_000 },
    );
    expect(JSON.parse(stdout)).toEqual({
      uncaughtExceptions: 0,
      unhandledRejections: 0,
      errors: [],
      openAfterSending: 3,
      openAfterIdling: 0,
      received: 4,
    });
  });

  it('keeps connections for the next message and never opens more than allowed', async () => {
    const server = await startServer();
    const pool = poolFor(server, {}, { maxConnections: 2 });
    for (let round = 0; round < 3; round++) {
      await Promise.all([
        pool.send(
          { from: 'sender@example.com', to: ['a@example.com'] },
          message('a'),
        ),
        pool.send(
          { from: 'sender@example.com', to: ['b@example.com'] },
          message('b'),
        ),
      ]);
    }
    expect(server.messages).toHaveLength(6);
    expect(server.connections.opened).toBe(2);
    // Callers keep to the pool's room; beyond it the pool refuses.
    const sending = [1, 2].map(() =>
      pool.send(
        { from: 'sender@example.com', to: ['c@example.com'] },
        message('c'),
      ),
    );
    expect(pool.hasRoom).toBe(false);
    await expect(
      pool.send(
        { from: 'sender@example.com', to: ['d@example.com'] },
        message('d'),
      ),
    ).rejects.toThrow('no free connection');
    await Promise.all(sending);
    expect(server.connections.opened).toBe(2);
    pool.close();
  });

  it('sends a streamed message byte for byte, and fails one that cannot be read without losing the connection', async () => {
    const server = await startServer();
    const pool = poolFor(server, {}, { maxConnections: 1 });
    const body = `Subject: streamed\r\n\r\n${'line of text\r\n'.repeat(2000)}`;
    await pool.send({ from: 'sender@example.com', to: ['a@example.com'] }, () =>
      Readable.from(body.match(/[^]{1,100}/g)!.map(part => Buffer.from(part))),
    );
    expect(server.messages[0].raw).toBe(body);

    const unreadable = pool.send(
      { from: 'sender@example.com', to: ['b@example.com'] },
      () =>
        new Readable({
          read() {
            this.destroy(new Error('the attachment could not be encoded'));
          },
        }),
    );
    await expect(unreadable).rejects.toMatchObject({
      stage: 'transaction',
      failure: { code: 'ESTREAM' },
    });
    expect(pool.hasRoom).toBe(true);
    await pool.send(
      { from: 'sender@example.com', to: ['c@example.com'] },
      message('after'),
    );
    expect(server.messages.map(m => m.envelope.rcptTo)).toEqual([
      ['a@example.com'],
      ['c@example.com'],
    ]);
    expect(server.connections.opened).toBe(1);
    pool.close();
  });

  it('streams a message larger than it reads whole, byte for byte, and reads it again for a fresh connection when the kept one was dropped', async () => {
    const server = await startServer();
    const pool = poolFor(server, {}, { maxConnections: 1 });
    await pool.send(
      { from: 'sender@example.com', to: ['a@example.com'] },
      message('first'),
    );
    const again = await restartOnSamePort(server);
    const body = `Subject: large\r\n\r\n${'a line of a large message\r\n'.repeat(
      Math.ceil((WHOLE_MESSAGE_BYTES * 1.5) / 27),
    )}`;
    let streams = 0;
    await pool.send(
      { from: 'sender@example.com', to: ['b@example.com'] },
      () => {
        streams += 1;
        return Readable.from(
          body.match(/[^]{1,16384}/g)!.map(part => Buffer.from(part)),
        );
      },
    );
    expect(again.messages.map(m => m.raw)).toEqual([body]);
    expect(streams).toBe(2);
    pool.close();
  });

  it('sends on a fresh connection when the server dropped a kept one', async () => {
    const server = await startServer();
    const pool = poolFor(server, {}, { maxConnections: 1 });
    await pool.send(
      { from: 'sender@example.com', to: ['a@example.com'] },
      message('1'),
    );
    const again = await restartOnSamePort(server);
    await pool.send(
      { from: 'sender@example.com', to: ['b@example.com'] },
      message('2'),
    );
    expect(again.messages.map(m => m.envelope.rcptTo)).toEqual([
      ['b@example.com'],
    ]);
    pool.close();
  });

  it('logs in even when the server does not advertise AUTH, so a relay cannot take mail unauthenticated', async () => {
    // Without users the test server accepts anyone and offers no AUTH over plain text.
    const server = await startServer({ certificate, requireTlsForAuth: true });
    const pool = poolFor(server, {
      security: 'none',
      auth: {
        kind: 'password',
        user: 'u@example.com',
        pass: 'secret-password',
      },
    });
    const error = await pool
      .send({ from: 'sender@example.com', to: ['a@example.com'] }, message('x'))
      .catch(e => e);
    expect(error).toBeInstanceOf(SmtpAttemptError);
    expect(error.stage).toBe('connect');
    expect(error.failure.code).toBe('EAUTH');
    expect(server.messages).toHaveLength(0);
    pool.close();
  });

  it('never sends a password over a connection without TLS unless allowed', async () => {
    const server = await startServer({
      users: { 'u@example.com': 'secret-password' },
    });
    const pool = poolFor(
      server,
      {
        auth: {
          kind: 'password',
          user: 'u@example.com',
          pass: 'secret-password',
        },
      },
      { allowInsecureAuth: false },
    );
    const error = await pool
      .send({ from: 'sender@example.com', to: ['a@example.com'] }, message('x'))
      .catch(e => e);
    expect(readSmtpFailure(error, pool.server)).toMatchObject({
      stage: 'connect',
      code: 'EINSECURE',
    });
    expect(server.authAttempts).toHaveLength(0);
    pool.close();
  });

  it('upgrades with STARTTLS before logging in, and says which stage failed', async () => {
    const server = await startServer({
      certificate,
      requireTlsForAuth: true,
      users: { 'u@example.com': 'secret-password' },
      replies: {
        rcptTo: address =>
          address === 'nobody@example.com'
            ? { code: 550, message: '5.1.1 No such user' }
            : undefined,
      },
    });
    const pool = poolFor(server, {
      security: 'starttls',
      auth: {
        kind: 'password',
        user: 'u@example.com',
        pass: 'secret-password',
      },
    });
    const error = await pool
      .send(
        { from: 'sender@example.com', to: ['nobody@example.com'] },
        message('x'),
      )
      .catch(e => e);
    expect(server.authAttempts).toEqual([
      expect.objectContaining({ username: 'u@example.com' }),
    ]);
    const failure = readSmtpFailure(error, pool.server);
    expect(failure).toMatchObject({ stage: 'rcpt', code: 'EENVELOPE' });
    expect(failure.refusedRecipients).toEqual([
      expect.objectContaining({
        recipient: 'nobody@example.com',
        responseCode: 550,
      }),
    ]);
    // The refusal left the connection usable: once reset (RSET) the pool
    // keeps it, and the next message goes through it. (A message sent before
    // the reset is done opens a connection of its own.)
    expect(pool.openConnections).toBe(1);
    await eventually(
      () => (pool as unknown as { idle: unknown[] }).idle.length === 1,
      5000,
      'the reset connection back in the pool',
    );
    await pool.send(
      { from: 'sender@example.com', to: ['ada@example.com'] },
      message('y'),
    );
    const [received] = await server.waitForMessages(1);
    expect(received.envelope.rcptTo).toEqual(['ada@example.com']);
    expect(received.secure).toBe(true);
    expect(received.authenticatedUser).toBe('u@example.com');
    expect(server.connections.opened).toBe(1);
    expect(server.authAttempts).toHaveLength(1);
    pool.close();
    await server.close();
  });
});
