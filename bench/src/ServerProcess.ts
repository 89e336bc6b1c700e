import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { epochMs, sleep, withTimeout } from './clock';
import {
  RunnerMessage,
  ServerCounters,
  ServerIdentity,
  ServerMessage,
  ServerShape,
} from './protocol';
import { SmtpTarget } from './senders/types';

const READY_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 3_000;

/** How waiting for receipts ended. */
export type WaitOutcome = 'all received' | 'idle' | 'timed out';

/** The runner's handle on the server child (serverChild.ts). */
export class ServerProcess {
  /** The latest counters the child reported. */
  latest?: ServerCounters;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    {
      resolve(reply: Extract<ServerMessage, { type: 'reply' }>): void;
      reject(error: Error): void;
    }
  >();
  private exited = false;
  private readonly killOnExit = () => this.child.kill('SIGKILL');

  private constructor(
    private readonly child: ChildProcess,
    readonly target: SmtpTarget,
  ) {
    child.on('message', (message: ServerMessage) => {
      if (message.type === 'ready') return;
      this.latest = message.counters;
      if (message.type !== 'reply') return;
      this.pending.get(message.id)?.resolve(message);
      this.pending.delete(message.id);
    });
    child.on('exit', code => {
      this.exited = true;
      for (const request of this.pending.values()) {
        request.reject(new Error(`The server child exited (code ${code})`));
      }
      this.pending.clear();
    });
    // If the runner exits without stop() (an error, Ctrl-C), take the child along.
    process.on('exit', this.killOnExit);
  }

  /**
   * Starts the server child; with `identity`, as that same server again;
   * with `shape`, as that many servers (default one, of 10 connections).
   */
  static async start(
    identity?: ServerIdentity,
    shape?: ServerShape,
  ): Promise<ServerProcess> {
    // This script only runs from its sources, so __dirname is bench/src.
    // eslint-disable-next-line no-restricted-syntax
    const child = fork(join(__dirname, 'serverChild.ts'), [], {
      execArgv: [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        ...(identity && { BENCH_SERVER_IDENTITY: JSON.stringify(identity) }),
        ...(shape && { BENCH_SERVER_SHAPE: JSON.stringify(shape) }),
      },
    });
    try {
      const target = await withTimeout(
        new Promise<SmtpTarget>((resolve, reject) => {
          child.on('message', (message: ServerMessage) => {
            if (message.type === 'ready') resolve(message.target);
          });
          child.once('error', reject);
          child.once('exit', code =>
            reject(new Error(`The server child exited (code ${code})`)),
          );
        }),
        READY_TIMEOUT_MS,
        'Starting the server child',
      );
      return new ServerProcess(child, target);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Forgets what was received and zeroes the connection counters. */
  async reset(): Promise<ServerCounters> {
    return (await this.request('reset')).counters;
  }

  /** The counters right now (not the last batched progress report). */
  async counters(): Promise<ServerCounters> {
    return (await this.request('counters')).counters;
  }

  /** How often each bench message (by seq) arrived. */
  async receiptsBySeq(): Promise<Map<number, number>> {
    return new Map((await this.request('seqs')).seqs ?? []);
  }

  /**
   * Closes the SMTP server (it accepts nothing more), then says how often
   * each message arrived in its lifetime; the child is then stopped.
   */
  async close(): Promise<Map<number, number>> {
    const { seqs } = await this.request('close');
    await this.stop();
    return new Map(seqs ?? []);
  }

  /** What it takes to start this same server again. */
  get identity(): ServerIdentity {
    const { port, user, pass, ca, key } = this.target;
    return { port, user, pass, cert: ca, key: key! };
  }

  /**
   * Waits until `count` distinct messages arrived, or none arrived for
   * `idleMs` (counted from the later of now and the last receipt), or
   * `deadline` (epoch ms) passed.
   */
  async waitForReceipts(
    count: number,
    idleMs: number,
    deadline: number,
  ): Promise<WaitOutcome> {
    const waitingSince = epochMs();
    for (;;) {
      if (this.exited) throw new Error('The server child exited');
      const latest = this.latest;
      if (latest && latest.unique >= count) return 'all received';
      const now = epochMs();
      const lastActivity = Math.max(waitingSince, latest?.lastReceivedAt ?? 0);
      if (now - lastActivity >= idleMs) return 'idle';
      if (now >= deadline) return 'timed out';
      await sleep(50);
    }
  }

  /** Stops the child: SIGTERM, then SIGKILL if it is still there. */
  async stop(): Promise<void> {
    process.off('exit', this.killOnExit);
    if (this.exited) return;
    const exited = new Promise<void>(resolve =>
      this.child.once('exit', () => resolve()),
    );
    this.child.kill('SIGTERM');
    try {
      await withTimeout(exited, STOP_TIMEOUT_MS, 'Stopping the server child');
    } catch {
      this.child.kill('SIGKILL');
      await withTimeout(exited, STOP_TIMEOUT_MS, 'Killing the server child');
    }
  }

  private request(
    type: RunnerMessage['type'],
  ): Promise<Extract<ServerMessage, { type: 'reply' }>> {
    if (this.exited) {
      return Promise.reject(new Error('The server child exited'));
    }
    const id = this.nextId++;
    const reply = new Promise<Extract<ServerMessage, { type: 'reply' }>>(
      (resolve, reject) => {
        this.pending.set(id, { resolve, reject });
      },
    );
    this.child.send({ type, id } satisfies RunnerMessage);
    return withTimeout(
      reply,
      REQUEST_TIMEOUT_MS,
      `The server's ${type} reply`,
    ).finally(() => this.pending.delete(id));
  }
}
