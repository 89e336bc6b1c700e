import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/** A child process in its own process group, so stopping it also stops what it started. */
export class ChildGroup {
  private exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise(resolve => child.once('exit', resolve));
  }

  /** Starts `command` with stdout and stderr going to `logFile`. */
  static start(
    command: string,
    args: string[],
    options: { cwd: string; env?: NodeJS.ProcessEnv; logFile: string },
  ): ChildGroup {
    const log = openSync(options.logFile, 'w');
    try {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', log, log],
        detached: true,
      });
      return new ChildGroup(child);
    } finally {
      closeSync(log);
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the exit code once the process has ended. */
  waitForExit(): Promise<number | null> {
    return this.exited;
  }

  /** SIGTERM to the whole group, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    const timer = new Promise(resolve => setTimeout(resolve, graceMs));
    await Promise.race([this.exited, timer]);
    this.kill();
  }

  /** Synchronous last resort, fit for a process `exit` handler. */
  kill(): void {
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // The group is gone already.
    }
  }
}

/** Runs a command to its end; rejects with the log's path when it fails. */
export async function runToEnd(
  command: string,
  args: string[],
  options: { cwd: string; logFile: string },
): Promise<void> {
  const group = ChildGroup.start(command, args, options);
  const code = await group.waitForExit();
  if (code !== 0) {
    throw new Error(
      `${args.join(' ')} failed with exit code ${code}; see ${options.logFile}`,
    );
  }
}
