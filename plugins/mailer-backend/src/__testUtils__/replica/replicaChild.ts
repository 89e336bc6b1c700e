// A mailer backend replica in a process of its own, so that a test can kill
// it the way Kubernetes or the OOM killer does (SIGKILL: no shutdown hooks,
// nothing recorded). Started by `startReplicaProcess`.
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import { mailerPlugin } from '../../plugin';
import type { ReplicaOptions } from './startReplicaProcess';

async function main() {
  const options: ReplicaOptions = JSON.parse(process.env.MAILER_REPLICA!);
  const knex = knexFactory(options.database);
  await startTestBackend({
    features: [
      mailerPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({ data: { mailer: options.mailer } }),
    ],
  });
  process.send?.({ type: 'ready' });
}

main().catch(error => {
  process.stderr.write(`The replica failed to start: ${error}\n`);
  process.exit(1);
});
