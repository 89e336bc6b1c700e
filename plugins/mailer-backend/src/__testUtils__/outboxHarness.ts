import { mockCredentials } from '@backstage/backend-test-utils';
import { BulkRecipient } from '@elixeum/plugin-mailer-common';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';

// Helpers the outbox tests share: who got what, and tenants' settings.

/** `count` bulk recipients with personalised fields. */
export function recipients(count: number, prefix = 'user'): BulkRecipient[] {
  return Array.from({ length: count }, (_, i) => ({
    to: `${prefix}${i}@example.com`,
    variables: { name: `Name ${i}`, seq: String(i) },
  }));
}

/** How often each recipient got mail, over one or more servers. */
export function deliveriesPerRecipient(
  ...servers: SmtpTestServer[]
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const server of servers) {
    for (const m of server.messages) {
      for (const r of m.envelope.rcptTo) {
        counts.set(r, (counts.get(r) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/** The recipients that got a message more than once. */
export function duplicated(counts: Map<string, number>): string[] {
  return [...counts].filter(([, n]) => n > 1).map(([r]) => r);
}

/** Settings that send through `server` (plain SMTP on loopback), as a tenant enters them. */
export function tenantServerSettings(
  server: { host: string; port: number },
  extra: Record<string, string> = {},
) {
  return {
    'SMTP.Server': server.host,
    'SMTP.Port': String(server.port),
    'SMTP.Username': 'mailer@tenant.example',
    'SMTP.Password': 'any-password',
    'SMTP.Security': 'none',
    ...extra,
  };
}

/**
 * Saves settings as an admin of `tenant` (with `tenantFromCallerModule`,
 * `user:default/<tenant>` manages tenant `<tenant>`).
 */
export async function saveTenantSettings(
  server: Parameters<typeof request>[0],
  tenant: string,
  values: Record<string, string | null>,
) {
  await request(server)
    .put('/api/mailer/settings')
    .set('Authorization', mockCredentials.user.header(`user:default/${tenant}`))
    .send({ values })
    .expect(200);
}

/** Resolves once `check` is true, checking every 20 ms; rejects after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}
