/* eslint-disable no-console */
import { BenchEngine, runOnEachEngine } from './runOnEachEngine';
import { percentile } from './aggregate';
import { epochMs } from './clock';
import { startDurableMailer } from './durable/startDurableMailer';
import { ServerProcess } from './ServerProcess';

/**
 * Single sends at once, as a portal's plugins make them: `count` calls of
 * `mailer.send()` (one transactional message each, through the service ref
 * in the mailer's backend) with `inFlight` outstanding. Prints how fast they
 * were queued, each call's time until it returned (the message committed),
 * and, once the server has them all, how many were lost or arrived twice.
 */
async function measure(engine: BenchEngine, count: number, inFlight: number) {
  const server = await ServerProcess.start();
  const mailer = await startDurableMailer(engine, server.target);
  try {
    for (let seq = 0; seq < 20; seq++) {
      await mailer.send(`warm-${seq}@example.com`, 1_000_000 + seq);
    }
    await server.waitForReceipts(20, 5_000, epochMs() + 30_000);
    await server.reset();

    const callMs: number[] = [];
    const errors: unknown[] = [];
    let next = 0;
    const started = epochMs();
    const caller = async () => {
      while (next < count) {
        const seq = next++;
        const before = performance.now();
        try {
          await mailer.send(`user-${seq}@example.com`, seq);
          callMs.push(performance.now() - before);
        } catch (error) {
          errors.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, caller));
    const queuedIn = (epochMs() - started) / 1000;
    await server.waitForReceipts(count, 10_000, epochMs() + 120_000);
    const receipts = await server.receiptsBySeq();
    let lost = 0;
    let duplicates = 0;
    for (let seq = 0; seq < count; seq++) {
      const times = receipts.get(seq) ?? 0;
      if (times === 0) lost += 1;
      else duplicates += times - 1;
    }
    const deliveredIn =
      ((await server.counters()).lastReceivedAt! - started) / 1000;
    callMs.sort((a, b) => a - b);
    console.log(
      `${engine.padEnd(8)} queued ${count} in ${queuedIn.toFixed(2)} s: ${Math.round(count / queuedIn)}/s; ` +
        `per call p50 ${percentile(callMs, 0.5)!.toFixed(1)} ms, p99 ${percentile(callMs, 0.99)!.toFixed(1)} ms; ` +
        `errors ${errors.length}; delivered in ${deliveredIn.toFixed(2)} s; lost ${lost}, duplicates ${duplicates}`,
    );
    if (errors.length > 0) console.log(`  first error: ${errors[0]}`);
  } finally {
    await mailer.stop();
    await server.stop();
  }
}

const count = Number(process.argv[2] ?? 3000);
const inFlight = Number(process.argv[3] ?? 50);
runOnEachEngine(
  `Concurrent single sends: ${count} calls of mailer.send() with ${inFlight} in flight, from a plugin in the mailer's backend`,
  engine => measure(engine, count, inFlight),
);
