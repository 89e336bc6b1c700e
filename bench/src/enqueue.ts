import { BulkRecipient } from '@elixeum/plugin-mailer-common';
import { spawnSync } from 'node:child_process';
import { startDurableMailer } from './durable/startDurableMailer';
import { startRssSampler } from './rssSampler';
import { ServerProcess } from './ServerProcess';

/**
 * How fast a 100,000-recipient mailing is accepted into the outbox, and how
 * much memory that takes: recipients are generated lazily and streamed to the
 * mailer in batches, while its workers already deliver to a local server.
 */
/** Recipients made one at a time, so the list itself takes no memory. */
async function* recipients(count: number): AsyncIterable<BulkRecipient> {
  for (let seq = 0; seq < count; seq++) {
    yield {
      to: `recipient-${seq}@example.com`,
      variables: { seq: String(seq) },
    };
  }
}

async function measure(engine: 'sqlite' | 'postgres', count: number) {
  // The SMTP server runs in its own process, as in the main benchmark, so
  // the RSS measured here is the mailer's alone.
  const server = await ServerProcess.start();
  const mailer = await startDurableMailer(engine, server.target);
  try {
    const rss = startRssSampler();
    // The backend at rest (Backstage, the mailer, this script's TypeScript
    // transpiler): what the peak holds before a single recipient.
    const atRestMb = process.memoryUsage().rss / 1024 / 1024;
    const started = process.hrtime.bigint();
    await mailer.sendBulk(recipients(count));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const peakMb = rss.stop() / 1024 / 1024;
    console.log(
      `${engine.padEnd(8)} enqueued ${count} recipients in ${seconds.toFixed(2)} s ` +
        `(${Math.round(count / seconds)} per second), peak RSS ${Math.round(peakMb)} MB ` +
        `(${Math.round(atRestMb)} MB at rest before it, +${Math.round(peakMb - atRestMb)} MB)`,
    );
  } finally {
    await mailer.stop();
    await server.stop();
  }
}

async function main() {
  const count = Number(process.argv[2] ?? 100_000);
  const engineArg = process.argv.indexOf('--engine');
  if (engineArg > 0) {
    await measure(process.argv[engineArg + 1] as 'sqlite' | 'postgres', count);
    process.exit(0);
  }
  console.log(
    `Enqueue benchmark: ${count} recipients, workers delivering meanwhile; each engine in a fresh process, so one's memory does not count for the other`,
  );
  const engines: Array<'sqlite' | 'postgres'> = ['sqlite'];
  if (
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ||
    process.argv.includes('--postgres')
  ) {
    engines.push('postgres');
  } else {
    console.log(
      'postgres skipped: set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING',
    );
  }
  for (const engine of engines) {
    const run = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1], String(count), '--engine', engine],
      { stdio: 'inherit' },
    );
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
