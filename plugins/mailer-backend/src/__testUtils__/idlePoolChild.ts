// Run as a plain Node process (see SmtpConnectionPool.test.ts): fills a pool,
// lets its connections idle past the socket timeout, and reports what the
// process saw. Jest's own `process` is a copy that never hears of uncaught
// exceptions, so this must run outside it.
import { SmtpTestServer } from '@internal/smtp-test-server';
import { systemResolver } from '../smtp/openSmtpSocket';
import { SmtpConnectionPool } from '../smtp/SmtpConnectionPool';

const seen = {
  uncaughtExceptions: 0,
  unhandledRejections: 0,
  errors: [] as string[],
};
process.on('uncaughtException', error => {
  seen.uncaughtExceptions += 1;
  seen.errors.push(String(error));
});
process.on('unhandledRejection', error => {
  seen.unhandledRejections += 1;
  seen.errors.push(String(error));
});

async function main() {
  const server = await SmtpTestServer.start();
  const pool = new SmtpConnectionPool(
    {
      host: server.host,
      port: server.port,
      security: 'none',
      from: 'a@example.com',
    },
    {
      maxConnections: 3,
      connectionTimeoutMs: 2000,
      greetingTimeoutMs: 2000,
      socketTimeoutMs: 300,
      // Longer than the socket timeout: the connections time out while idle.
      idleTimeoutMs: 60_000,
      resolve: systemResolver,
      tls: {},
      allowInsecureAuth: true,
    },
  );
  await Promise.all(
    [1, 2, 3].map(i =>
      pool.send({ from: 'a@example.com', to: [`r${i}@example.com`] }, () =>
        Buffer.from(`Subject: ${i}\r\n\r\nhello\r\n`),
      ),
    ),
  );
  const openAfterSending = pool.openConnections;
  await new Promise(resolve => setTimeout(resolve, 1500));
  const openAfterIdling = pool.openConnections;
  // The pool still works: it opens a fresh connection.
  await pool.send({ from: 'a@example.com', to: ['again@example.com'] }, () =>
    Buffer.from('Subject: again\r\n\r\nhello\r\n'),
  );
  pool.close();
  await server.close();
  process.stdout.write(
    JSON.stringify({
      ...seen,
      openAfterSending,
      openAfterIdling,
      received: server.messages.length,
    }),
  );
}

main().then(
  () => process.exit(0),
  error => {
    process.stdout.write(JSON.stringify({ ...seen, failed: String(error) }));
    process.exit(1);
  },
);
