// A mailer backend replica in its own process, for the soak test: started
// by soak.ts, killed with SIGKILL (no shutdown hook, nothing recorded).
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import mailerPlugin from '@elixeum/plugin-mailer-backend';
import knexFactory from 'knex';

async function main() {
  const { database, mailer } = JSON.parse(process.env.SOAK_REPLICA!);
  await startTestBackend({
    features: [
      mailerPlugin,
      mockServices.database.factory({ knex: knexFactory(database) }),
      mockServices.rootConfig.factory({ data: { mailer } }),
    ],
  });
  process.send?.('ready');
}

main().catch(error => {
  process.stderr.write(`soak replica failed: ${error}\n`);
  process.exit(1);
});
