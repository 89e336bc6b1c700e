import { JsonObject } from '@backstage/types';
import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { withTimeout } from '../clock';

/** A mailer backend replica in a child process. */
export interface Replica {
  name: string;
  /** SIGKILL: what it had on the wire and not recorded is left as it is. */
  kill(): Promise<void>;
  /** SIGTERM: the backend's shutdown hooks run. */
  stop(): Promise<void>;
}

/** Starts a replica that shares `database` (a knex config) and serves `mailer` config. */
export async function startReplica(
  name: string,
  database: object,
  mailer: JsonObject,
): Promise<Replica> {
  // This script only runs from its sources, so __dirname is bench/src/soak.
  // eslint-disable-next-line no-restricted-syntax
  const child: ChildProcess = fork(join(__dirname, 'replicaChild.ts'), [], {
    execArgv: [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
    ],
    env: { ...process.env, SOAK_REPLICA: JSON.stringify({ database, mailer }) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  process.on('exit', () => child.kill('SIGKILL'));
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', code =>
        reject(new Error(`replica ${name} exited (${code})`)),
      );
    }),
    60_000,
    `Starting replica ${name}`,
  );
  return {
    name,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
