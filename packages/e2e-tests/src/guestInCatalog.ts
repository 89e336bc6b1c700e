/**
 * Waits until the catalog of the portal at `baseUrl` has ingested the guest
 * user from examples/org.yaml: its address is where the guest's notifications
 * are emailed, and the catalog reads the file in the background after start.
 */
export async function waitForGuestInCatalog(
  baseUrl: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const refresh = await fetch(
      `${baseUrl}/api/auth/guest/refresh?env=development`,
      { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
    );
    const { backstageIdentity } = (await refresh.json()) as {
      backstageIdentity: { token: string };
    };
    const entity = await fetch(
      `${baseUrl}/api/catalog/entities/by-name/user/development/guest`,
      { headers: { Authorization: `Bearer ${backstageIdentity.token}` } },
    );
    if (entity.ok) return;
    if (Date.now() > deadline) {
      throw new Error(
        `The catalog did not list user:development/guest within ${timeoutMs / 1000} s (last status ${entity.status})`,
      );
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}
