import { JsonObject } from '@backstage/types';
import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Knex } from 'knex';

/** What the replica process runs with. */
export interface ReplicaOptions {
  /** knex config of the database the replicas share. */
  database: Knex.Config;
  /** The `mailer` config section. */
  mailer: JsonObject;
}

/** A replica running in its own process. */
export interface ReplicaProcess {
  /** Kills it at once: nothing is recorded, no hook runs. */
  kill(): Promise<void>;
}

/** The knex config a child process needs to reach the same database. */
export function sharedDatabaseConfig(knex: Knex): Knex.Config {
  const { client, connection, useNullAsDefault } = knex.client.config;
  // The password is not enumerable on some drivers' settings: copy it by name.
  const settings =
    typeof connection === 'object' && connection !== null
      ? {
          ...connection,
          password: (connection as { password?: string }).password,
        }
      : connection;
  return { client, connection: settings, useNullAsDefault };
}

/** Starts a mailer backend replica in a child process and waits until it serves. */
export async function startReplicaProcess(
  options: ReplicaOptions,
): Promise<ReplicaProcess> {
  const child: ChildProcess = fork(join(__dirname, 'replicaChild.ts'), [], {
    execArgv: [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
    ],
    env: { ...process.env, MAILER_REPLICA: JSON.stringify(options) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('The replica did not start within 60 s')),
      60_000,
    );
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', code => {
      clearTimeout(timer);
      reject(new Error(`The replica exited before it started (code ${code})`));
    });
  });
  return {
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
