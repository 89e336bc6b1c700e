/**
 * The many-tenant benchmark: what claiming costs as the tenants with due
 * mail grow from 10 to 1,000, and how fast mail goes out when each of 100
 * or 300 tenants has its own SMTP server (ports of one server child),
 * against one tenant with as many messages and connections. Prints two
 * tables and writes them as JSON to bench/results/.
 */
/* eslint-disable no-console */
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from './clock';
import { createMessages } from './messages';
import { runSender } from './runSender';
import { warmUpEntry } from './senders';
import { ServerProcess } from './ServerProcess';
import {
  parseTenantsArgs,
  TENANTS_USAGE,
  TenantsBenchArgs,
} from './tenants/args';
import { ClaimCost, Engine, measureClaimCosts } from './tenants/claimCost';
import { formatClaimCosts } from './tenants/claimCostTable';
import {
  connectionCap,
  DeliveryRow,
  runDelivery,
} from './tenants/deliveryRuns';
import { formatDeliveryRows } from './tenants/deliveryTable';

// This script only runs from its sources, so __dirname is bench/src.
// eslint-disable-next-line no-restricted-syntax
const RESULTS_DIR = join(__dirname, '..', 'results');
const WARM_UP_MESSAGES = 500;

async function claimCosts(
  engines: Engine[],
  args: TenantsBenchArgs,
): Promise<ClaimCost[]> {
  const costs: ClaimCost[] = [];
  for (const engine of engines) {
    process.stdout.write(
      `  ${engine}: ${args.claimTenants.join(', ')} tenants x ${args.duePerTenant} due ... `,
    );
    const measured = await measureClaimCosts(
      engine,
      args.claimTenants,
      args.duePerTenant,
    );
    costs.push(...measured);
    console.log(
      `claim medians ${measured.map(c => c.claim.median.toFixed(2)).join(', ')} ms`,
    );
  }
  return costs;
}

async function delivery(
  engines: Engine[],
  args: TenantsBenchArgs,
): Promise<DeliveryRow[]> {
  const caps = args.tenants.map(n =>
    connectionCap(n, args.connectionsPerTenant),
  );
  // Room for twice the cap: a pool that briefly overshoots shows in
  // "peak open" instead of being refused and paused.
  const server = await ServerProcess.start(undefined, {
    servers: Math.max(...args.tenants),
    maxClients: 2 * Math.max(...caps),
  });
  try {
    console.log(
      `SMTP servers: smtp-server on ${server.target.ports.length} loopback ports in child process ${server.pid}; STARTTLS and AUTH required`,
    );
    process.stdout.write(
      `Warming the servers up with ${WARM_UP_MESSAGES} messages ... `,
    );
    await runSender(
      warmUpEntry,
      server,
      createMessages(WARM_UP_MESSAGES),
      args,
    );
    console.log('done');
    const rows: DeliveryRow[] = [];
    for (const engine of engines) {
      rows.push(...(await runDelivery(engine, server, args)));
    }
    return rows;
  } finally {
    await server.stop();
  }
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseTenantsArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${errorMessage(error)}\n\n${TENANTS_USAGE}`);
    return 2;
  }
  if (args === 'help') {
    console.log(TENANTS_USAGE);
    return 0;
  }
  const engines = args.engines.filter(
    engine =>
      engine !== 'postgres' ||
      process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING,
  );
  if (engines.length < args.engines.length) {
    console.log(
      'postgres skipped: set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING',
    );
  }

  const started = new Date();
  const machine = {
    node: process.version,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    platform: `${platform()} ${arch()}`,
  };
  console.log(
    `Many-tenant benchmark\nNode ${machine.node}, ${machine.cores} cores (${machine.cpu}), ${machine.platform}\n`,
  );

  let claims: ClaimCost[] = [];
  if (args.claimTenants.length > 0) {
    console.log(
      `Claim cost: tenants with ${args.duePerTenant} due messages each (and as many sent)`,
    );
    claims = await claimCosts(engines, args);
  }
  let rows: DeliveryRow[] = [];
  if (args.tenants.length > 0) {
    console.log(
      `\nDelivery: ${args.messages} messages per run, ${args.repeat} interleaved rounds`,
    );
    rows = await delivery(engines, args);
  }

  if (claims.length > 0) {
    console.log(
      `\nClaim cost by tenants with due mail (${claims[0].rows / claims[0].tenants / 2} due + as many sent per tenant; medians and p90 of 50)\n${formatClaimCosts(claims)}`,
    );
  }
  if (rows.length > 0) {
    console.log(
      `\nAggregate delivery, ${args.messages} messages per run, STARTTLS + AUTH, medians of ${args.repeat} interleaved rounds (lost and duplicates summed over rounds)\n${formatDeliveryRows(rows)}`,
    );
  }
  const seconds = (Date.now() - started.getTime()) / 1000;
  console.log(`\nTotal run time: ${seconds.toFixed(1)} s`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(
    RESULTS_DIR,
    `tenants-${started.toISOString().replace(/[:.]/g, '-')}.json`,
  );
  const report = {
    startedAt: started.toISOString(),
    seconds,
    machine,
    args,
    claims,
    delivery: rows,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Results: ${file}`);
  return 0;
}

// Exit explicitly: a run that timed out may still hold sockets open.
main().then(
  code => process.exit(code),
  error => {
    console.error(error);
    process.exit(1);
  },
);
