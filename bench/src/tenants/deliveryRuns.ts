/* eslint-disable no-console */
import { aggregate, AggregatedResult, median } from '../aggregate';
import { createMessages } from '../messages';
import { runSender, SenderResult, wasMeasured } from '../runSender';
import { SenderEntry } from '../senders';
import { createDurableSender } from '../senders/durablePath';
import { createTenantsSender } from '../senders/tenantsPath';
import { ServerProcess } from '../ServerProcess';
import { TenantsBenchArgs } from './args';
import { Engine } from './claimCost';

/** `mailer.delivery.maxPools` by default: the most tenant servers a replica sends to at once. */
export const DEFAULT_MAX_POOLS = 100;
/** `mailer.delivery.maxConnections` may be at most this. */
const MAX_CONNECTIONS = 100;

/** One kind of delivery run, as the table shows it. */
export interface DeliveryRun extends SenderEntry {
  engine: Engine;
  tenants: number;
  /** Connections the mailer may have open at once, over all servers. */
  connectionCap: number;
  /** What it is compared with: the id of the one-tenant run of the same cap. */
  sameCapId?: string;
}

/** A run's rounds folded into one row, with its ratios (medians of per-round ratios). */
export interface DeliveryRow {
  run: DeliveryRun;
  result: AggregatedResult;
  vsSameCap?: number;
  vsFiveConnections?: number;
}

/** Connections that many tenants may hold at once: a lane per tenant, at most maxPools lanes. */
export function connectionCap(tenants: number, perTenant: number): number {
  return Math.min(
    MAX_CONNECTIONS,
    perTenant * Math.min(tenants, DEFAULT_MAX_POOLS),
  );
}

/**
 * The runs of one engine, in the order of each round: one tenant through the
 * default mailbox with 5 connections (`yarn bench`'s durable path), one
 * tenant with its own server and as many connections as the many-tenant
 * runs may hold, and the many-tenant runs.
 */
export function deliveryRuns(
  engine: Engine,
  args: TenantsBenchArgs,
): DeliveryRun[] {
  const perTenant = args.connectionsPerTenant;
  const caps = [...new Set(args.tenants.map(n => connectionCap(n, perTenant)))];
  const oneTenant = (cap: number): DeliveryRun => ({
    id: `${engine}-1-own-${cap}`,
    label: `1 tenant, own server, ${cap} connections`,
    baseline: true,
    engine,
    tenants: 1,
    connectionCap: cap,
    create: () =>
      createTenantsSender({
        database: engine,
        tenants: 1,
        connectionsPerTenant: cap,
      }),
  });
  return [
    {
      id: `${engine}-1-default-5`,
      label: '1 tenant, default mailbox, 5 connections (yarn bench)',
      baseline: true,
      engine,
      tenants: 1,
      connectionCap: 5,
      create: () => createDurableSender(engine),
    },
    ...caps.map(oneTenant),
    ...args.tenants.map(tenants => {
      const cap = connectionCap(tenants, perTenant);
      const lanes =
        tenants > DEFAULT_MAX_POOLS ? `, ${DEFAULT_MAX_POOLS} lanes` : '';
      return {
        id: `${engine}-${tenants}-own-${perTenant}`,
        label: `${tenants} tenants, own servers, ${perTenant} connection${perTenant > 1 ? 's' : ''} each${lanes}`,
        baseline: false,
        engine,
        tenants,
        connectionCap: cap,
        sameCapId: oneTenant(cap).id,
        create: () =>
          createTenantsSender({
            database: engine,
            tenants,
            connectionsPerTenant: perTenant,
          }),
      };
    }),
  ];
}

/** The median over rounds of `id`'s rate divided by `baseId`'s in the same round. */
function medianRatio(
  rounds: Map<string, SenderResult>[],
  id: string,
  baseId: string,
): number | undefined {
  const ratios = rounds.flatMap(round => {
    const result = round.get(id);
    const base = round.get(baseId);
    if (!result || !base || !wasMeasured(result) || !wasMeasured(base)) {
      return [];
    }
    const rate = result.messagesPerSecond;
    const baseRate = base.messagesPerSecond;
    return rate && baseRate ? [rate / baseRate] : [];
  });
  return median(ratios);
}

/**
 * Every run of one engine in turn, `repeat` rounds, with the same messages:
 * whatever the machine does meanwhile falls on all of them alike.
 */
export async function runDelivery(
  engine: Engine,
  server: ServerProcess,
  args: TenantsBenchArgs,
): Promise<DeliveryRow[]> {
  const runs = deliveryRuns(engine, args);
  const messages = createMessages(args.messages);
  const rounds: Map<string, SenderResult>[] = [];
  for (let round = 1; round <= args.repeat; round++) {
    console.log(`${engine}, round ${round} of ${args.repeat}`);
    const thisRound = new Map<string, SenderResult>();
    rounds.push(thisRound);
    for (const run of runs) {
      process.stdout.write(`  ${run.label} ... `);
      const result = await runSender(run, server, messages, args);
      thisRound.set(run.id, result);
      console.log(
        wasMeasured(result)
          ? `${result.messagesPerSecond?.toFixed(0) ?? '-'} msg/s, ${result.lost} lost, ${result.duplicates} duplicates`
          : `not run: ${result.notRun}`,
      );
    }
  }
  const fiveConnections = runs[0].id;
  return runs.map(run => ({
    run,
    result: aggregate(rounds.flatMap(round => round.get(run.id) ?? [])),
    vsSameCap: run.sameCapId
      ? medianRatio(rounds, run.id, run.sameCapId)
      : undefined,
    vsFiveConnections:
      run.id === fiveConnections
        ? undefined
        : medianRatio(rounds, run.id, fiveConnections),
  }));
}
