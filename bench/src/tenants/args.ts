import { Engine } from './claimCost';

export interface TenantsBenchArgs {
  /** Engines to run on, in order. */
  engines: Engine[];
  /** Tenant counts with due mail at which the claim is timed. */
  claimTenants: number[];
  /** Due messages per tenant there (and as many sent ones). */
  duePerTenant: number;
  /** Tenant counts of the delivery runs, each tenant with its own server. */
  tenants: number[];
  /** Messages per delivery run, spread evenly over the tenants. */
  messages: number;
  /** SMTP connections each tenant's server gets (`mailer.delivery.maxConnections`). */
  connectionsPerTenant: number;
  /** Rounds of every delivery run in turn; the table shows medians. */
  repeat: number;
  /** A run ends when nothing arrived for this long (lanes taking turns may stall for seconds). */
  graceMs: number;
  timeoutMs: number;
}

export const TENANTS_USAGE = `Usage: yarn bench:tenants [--engines sqlite,postgres] [--claim-tenants 10,100,1000] [--due-per-tenant 100] [--tenants 100,300] [--messages 6000] [--connections-per-tenant 1] [--repeat 3]

  --engines E,E             databases to run on (postgres needs
                            BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING)
  --claim-tenants A,B,C     tenants with due mail at which the claim is timed;
                            0 skips this part
  --due-per-tenant N        due messages per tenant there, plus as many sent
  --tenants A,B             tenants of the delivery runs, each with its own
                            SMTP server; 0 skips this part
  --messages N              messages per delivery run, spread over the tenants
  --connections-per-tenant C   connections per tenant server; the run of one
                            tenant gets C x (tenants, at most maxPools 100)
  --repeat R                rounds of the delivery runs; medians are shown`;

function count(name: string, value: string | undefined, min = 1): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) {
    throw new Error(`${name} needs a whole number from ${min}, got ${value}`);
  }
  return number;
}

function counts(name: string, value: string | undefined): number[] {
  const list = (value ?? '').split(',').map(item => count(name, item, 0));
  return list.filter(item => item > 0);
}

function engines(value: string | undefined): Engine[] {
  return (value ?? '').split(',').map(name => {
    if (name !== 'sqlite' && name !== 'postgres') {
      throw new Error(`Unknown engine: ${name} (sqlite or postgres)`);
    }
    return name;
  });
}

/** Parses `--name value` and `--name=value`; throws with a message on anything else. */
export function parseTenantsArgs(argv: string[]): TenantsBenchArgs | 'help' {
  const args: TenantsBenchArgs = {
    engines: ['sqlite', 'postgres'],
    claimTenants: [10, 100, 1000],
    duePerTenant: 100,
    tenants: [100, 300],
    messages: 6000,
    connectionsPerTenant: 1,
    repeat: 3,
    graceMs: 30_000,
    timeoutMs: 600_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (name) {
      case '--help':
      case '-h':
        return 'help';
      case '--engines':
        args.engines = engines(value());
        break;
      case '--claim-tenants':
        args.claimTenants = counts(name, value());
        break;
      case '--due-per-tenant':
        args.duePerTenant = count(name, value());
        break;
      case '--tenants':
        args.tenants = counts(name, value());
        break;
      case '--messages':
        args.messages = count(name, value());
        break;
      case '--connections-per-tenant':
        args.connectionsPerTenant = count(name, value());
        break;
      case '--repeat':
        args.repeat = count(name, value());
        break;
      default:
        throw new Error(`Unknown argument: ${argv[i]}`);
    }
  }
  return args;
}
