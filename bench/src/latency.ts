/* eslint-disable no-console */
import { BenchEngine, runOnEachEngine } from './runOnEachEngine';
import { epochMs, sleep } from './clock';
import { median } from './aggregate';
import { startDurableMailer } from './durable/startDurableMailer';
import { ServerProcess } from './ServerProcess';

/**
 * Transactional latency: the time from a plugin's `mailer.send()` to the
 * SMTP server's receipt of that message, one message at a time on a warm
 * pool, as a password reset travels. The server runs in its own process;
 * both clocks are this machine's.
 */
async function measure(engine: BenchEngine, count: number) {
  const server = await ServerProcess.start();
  const mailer = await startDurableMailer(engine, server.target);
  try {
    // Warm: the pool's connections are open and logged in.
    for (let i = 0; i < 20; i++) await sendAndWait(i);
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) latencies.push(await sendAndWait(1000 + i));
    latencies.sort((a, b) => a - b);
    const p90 = latencies[Math.floor(latencies.length * 0.9)];
    console.log(
      `${engine.padEnd(8)} ${count} messages: median ${median(latencies)!.toFixed(1)} ms, ` +
        `p90 ${p90.toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`,
    );
  } finally {
    await mailer.stop();
    await server.stop();
  }

  async function sendAndWait(seq: number): Promise<number> {
    const before = (await server.counters()).unique;
    const sentAt = epochMs();
    await mailer.send(`reset-${seq}@example.com`, seq);
    for (;;) {
      const counters = await server.counters();
      if (counters.unique > before) return counters.lastReceivedAt! - sentAt;
      await sleep(1);
    }
  }
}

const count = Number(process.argv[2] ?? 200);
runOnEachEngine(
  `Transactional latency: send() to the server's receipt, ${count} single messages on a warm pool`,
  engine => measure(engine, count),
);
