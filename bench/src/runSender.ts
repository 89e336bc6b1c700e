import { epochMs, errorMessage, withTimeout } from './clock';
import { BenchMessage } from './messages';
import { startRssSampler } from './rssSampler';
import { SenderEntry } from './senders';
import { Sender } from './senders/types';
import { ServerProcess, WaitOutcome } from './ServerProcess';

const SETUP_TIMEOUT_MS = 120_000;

export interface RunOptions {
  /** After the sender resolved: how long without a new receipt counts as done. */
  graceMs: number;
  /** The most one sender may take, sending and delivery together. */
  timeoutMs: number;
}

export interface NotRun {
  id: string;
  label: string;
  baseline: boolean;
  notRun: string;
}

export interface Measured {
  id: string;
  label: string;
  baseline: boolean;
  sent: number;
  received: number;
  unique: number;
  duplicates: number;
  lost: number;
  /** From the first send to the last message the server received. */
  seconds?: number;
  messagesPerSecond?: number;
  /** Until the sender's promise resolved (all handed over / queued). */
  handOverSeconds: number;
  peakRssBytes: number;
  /** CPU time of this process (sender, mailer backend, database driver) per message, in ms. */
  cpuMsPerMessage: number;
  connectionsOpened: number;
  peakOpenConnections: number;
  loginsRefused: number;
  waitOutcome: WaitOutcome;
  /** The sender rejected (or timed out) with this. */
  error?: string;
}

export type SenderResult = NotRun | Measured;

export function wasMeasured(result: SenderResult): result is Measured {
  return !('notRun' in result);
}

/** Runs one sender against the server and measures it. */
export async function runSender(
  entry: SenderEntry,
  server: ServerProcess,
  messages: BenchMessage[],
  options: RunOptions,
): Promise<SenderResult> {
  const { id, label, baseline } = entry;
  let sender: Sender;
  try {
    sender = await entry.create();
  } catch (error) {
    return { id, label, baseline, notRun: errorMessage(error) };
  }

  try {
    try {
      if (sender.prepare) {
        await withTimeout(
          sender.prepare(server.target),
          SETUP_TIMEOUT_MS,
          'prepare',
        );
      }
    } catch (error) {
      return { id, label, baseline, notRun: errorMessage(error) };
    }

    await server.reset();
    const rss = startRssSampler(50);
    const cpuBefore = process.cpuUsage();
    const startedAt = epochMs();
    const deadline = startedAt + options.timeoutMs;
    let error: string | undefined;
    try {
      await withTimeout(
        sender(server.target, messages),
        options.timeoutMs,
        'Sending',
      );
    } catch (sendError) {
      error = errorMessage(sendError);
    }
    const handedOverAt = epochMs();
    const waitOutcome = await server.waitForReceipts(
      messages.length,
      options.graceMs,
      Math.max(deadline, handedOverAt + options.graceMs),
    );
    const counters = await server.counters();
    const peakRssBytes = rss.stop();
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerMessage = (cpu.user + cpu.system) / 1000 / messages.length;

    const seconds =
      counters.lastReceivedAt === undefined
        ? undefined
        : (counters.lastReceivedAt - startedAt) / 1000;
    return {
      id,
      label,
      baseline,
      sent: messages.length,
      received: counters.received,
      unique: counters.unique,
      duplicates: counters.duplicates,
      lost: Math.max(0, messages.length - counters.unique),
      seconds,
      messagesPerSecond: seconds ? counters.unique / seconds : undefined,
      handOverSeconds: (handedOverAt - startedAt) / 1000,
      peakRssBytes,
      cpuMsPerMessage,
      connectionsOpened: counters.connectionsOpened,
      peakOpenConnections: counters.peakOpenConnections,
      loginsRefused: counters.loginsRefused,
      waitOutcome,
      error,
    };
  } finally {
    if (sender.dispose) {
      await withTimeout(sender.dispose(), SETUP_TIMEOUT_MS, 'dispose').catch(
        error =>
          // eslint-disable-next-line no-console
          console.warn(`${id}: dispose failed: ${errorMessage(error)}`),
      );
    }
  }
}
