import { BulkRecipient } from '@elixeum/plugin-mailer-common';
import { saveTenantServer } from '../durable/saveTenantServer';
import {
  DurableMailer,
  startDurableMailer,
} from '../durable/startDurableMailer';
import { tenantFromCaller } from '../durable/tenantFromCaller';
import { DurableDatabase } from './durablePath';
import { Sender } from './types';

/** How the many-tenant durable path is set up. */
export interface TenantsSetup {
  database: DurableDatabase;
  /** Tenants, each with its own server: one port of the server child each. */
  tenants: number;
  /** `mailer.delivery.maxConnections`: connections per tenant server. */
  connectionsPerTenant: number;
}

/** Mailings queued at once, as many plugins of a portal queue at once. */
const QUEUEING_AT_ONCE = 10;

/** Runs `task` for every item, at most `limit` at a time. */
async function inTurns<T>(
  items: T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

const tenantName = (index: number) => `t${index}`;

/**
 * The durable path with many tenants: the real mailer backend on a fresh
 * database, each tenant's own server saved through the settings route
 * (the operator opens exactly those loopback ports in the server policy),
 * and the messages queued as one mailing per tenant through
 * `mailerServiceRef.sendBulk`, ten tenants at a time. Setting up is outside
 * the measured time; queueing and delivery are inside. `maxPools` stays at
 * the mailer's default (100), so more tenants than that take turns.
 */
export function createTenantsSender(setup: TenantsSetup): Sender {
  let mailer: DurableMailer | undefined;
  const send: Sender = async (_target, messages) => {
    // Tenant i gets messages i, i + N, …: each has mail from the start.
    const mailings: BulkRecipient[][] = Array.from(
      { length: setup.tenants },
      () => [],
    );
    messages.forEach((message, i) =>
      mailings[i % setup.tenants].push({
        to: message.to,
        variables: { seq: String(message.seq) },
      }),
    );
    await inTurns(mailings, QUEUEING_AT_ONCE, (recipients, i) =>
      mailer!.sendBulk(recipients, { tenantId: tenantName(i) }),
    );
  };
  send.prepare = async target => {
    if (target.ports.length < setup.tenants) {
      throw new Error(
        `${setup.tenants} tenants need as many server ports, the server child has ${target.ports.length}`,
      );
    }
    const ports = target.ports.slice(0, setup.tenants);
    mailer = await startDurableMailer(setup.database, target, {
      mailer: {
        serverPolicy: { allowedHosts: [{ host: target.host, ports }] },
        delivery: { maxConnections: setup.connectionsPerTenant },
      },
      features: [tenantFromCaller],
    });
    const started = mailer;
    await inTurns(ports, QUEUEING_AT_ONCE, (port, i) =>
      saveTenantServer(started.baseUrl, tenantName(i), { ...target, port }),
    );
  };
  send.dispose = async () => {
    await mailer?.stop();
    mailer = undefined;
  };
  return send;
}
