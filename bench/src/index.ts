/**
 * The delivery benchmark: the same messages through each sender to one
 * loopback SMTP server in a child process (STARTTLS + AUTH, maxClients 10).
 * Prints a table and writes it as JSON to bench/results/.
 */
/* eslint-disable no-console */
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform } from 'node:os';
import { join } from 'node:path';
import { parseArgs, USAGE } from './args';
import { errorMessage } from './clock';
import { createMessages } from './messages';
import { aggregate, medianRatios } from './aggregate';
import { runSender, SenderResult, wasMeasured } from './runSender';
import { senderEntries, warmUpEntry } from './senders';
import { ServerProcess } from './ServerProcess';
import { bestBaseline, formatTable } from './table';

// This script only runs from its sources, so __dirname is bench/src.
// eslint-disable-next-line no-restricted-syntax
const RESULTS_DIR = join(__dirname, '..', 'results');

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${errorMessage(error)}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }

  const started = new Date();
  const machine = {
    node: process.version,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    platform: `${platform()} ${arch()}`,
  };
  console.log(
    `Delivery benchmark: ${args.messages} messages per sender\n` +
      `Node ${machine.node}, ${machine.cores} cores (${machine.cpu}), ${machine.platform}`,
  );

  const messages = createMessages(args.messages);
  const server = await ServerProcess.start();
  const runs = new Map<string, SenderResult[]>();
  const rounds: Map<string, SenderResult>[] = [];
  try {
    console.log(
      `SMTP server: smtp-server in child process ${server.pid} on ` +
        `${server.target.host}:${server.target.port}; STARTTLS and AUTH required, maxClients 10`,
    );
    // The server child's code is cold at first: whoever ran first used to
    // pay for it. Warm it up with messages that are not measured.
    process.stdout.write(
      `Warming up the server with ${args.warmup} messages ... `,
    );
    await runSender(warmUpEntry, server, createMessages(args.warmup), args);
    console.log('done\n');
    // Rounds of every sender in turn, so that whatever the machine does
    // meanwhile falls on all of them alike; the table shows medians.
    for (let round = 1; round <= args.repeat; round++) {
      console.log(`Round ${round} of ${args.repeat}`);
      const thisRound = new Map<string, SenderResult>();
      rounds.push(thisRound);
      for (const id of args.senders) {
        const entry = senderEntries.find(candidate => candidate.id === id)!;
        process.stdout.write(`  ${entry.label} ... `);
        const result = await runSender(entry, server, messages, args);
        runs.set(id, [...(runs.get(id) ?? []), result]);
        thisRound.set(id, result);
        console.log(
          wasMeasured(result)
            ? `${result.messagesPerSecond?.toFixed(0) ?? '-'} msg/s`
            : `not run: ${result.notRun}`,
        );
      }
    }
  } finally {
    await server.stop();
  }
  const ratios = medianRatios(rounds);
  const results = args.senders.map(id => ({
    ...aggregate(runs.get(id) ?? []),
    ratio: ratios.get(id),
  }));

  const seconds = (Date.now() - started.getTime()) / 1000;
  console.log(
    `\n${formatTable(results)}\n\nMedians of ${args.repeat} interleaved rounds of ${args.messages} messages each; "vs best baseline" is the median of each round's ratio to that round's best baseline; lost and duplicates are summed over all rounds.\nTotal run time: ${seconds.toFixed(1)} s`,
  );

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(
    RESULTS_DIR,
    `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`,
  );
  const report = {
    startedAt: started.toISOString(),
    seconds,
    machine,
    messages: args.messages,
    repeat: args.repeat,
    warmup: args.warmup,
    graceMs: args.graceMs,
    bestBaselineMessagesPerSecond: bestBaseline(results),
    results,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Results: ${file}`);
  return 0;
}

// Exit explicitly: a sender that timed out may still hold sockets open.
main().then(
  code => process.exit(code),
  error => {
    console.error(error);
    process.exit(1);
  },
);
