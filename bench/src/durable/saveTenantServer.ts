import { mockCredentials } from '@backstage/backend-test-utils';
import { DurableTarget } from './startDurableMailer';

/**
 * Saves `server` as the tenant's own SMTP server (STARTTLS, AUTH), through
 * the settings route as the tenant's admin would, so the server policy
 * checks it as it checks any tenant's (with `tenantFromCaller`,
 * `user:default/<tenant>` manages `<tenant>`).
 */
export async function saveTenantServer(
  baseUrl: string,
  tenantId: string,
  server: DurableTarget,
): Promise<void> {
  const response = await fetch(`${baseUrl}/api/mailer/settings`, {
    method: 'PUT',
    headers: {
      'Content-Type': 'application/json',
      Authorization: mockCredentials.user.header(`user:default/${tenantId}`),
    },
    body: JSON.stringify({
      values: {
        'SMTP.Server': server.host,
        'SMTP.Port': String(server.port),
        'SMTP.Security': 'starttls',
        'SMTP.Username': server.user,
        'SMTP.Password': server.pass,
        'SMTP.From': `mail@${tenantId}.example.com`,
      },
    }),
  });
  if (!response.ok) {
    // The body says which setting was refused; it never repeats a password.
    throw new Error(
      `Saving ${tenantId}'s server failed: ${response.status} ${await response.text()}`,
    );
  }
}
