import { DeliverySummary } from '@elixeum/plugin-mailer-common';
import request from 'supertest';

/** Reads the delivery summary until it shows a pause, as the card would. */
export async function waitForPause(
  server: Parameters<typeof request>[0],
  timeoutMs = 10_000,
): Promise<DeliverySummary> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await request(server)
      .get('/api/mailer/delivery-summary')
      .expect(200);
    const summary = response.body as DeliverySummary;
    if (summary.pause) return summary;
    if (Date.now() > deadline) {
      throw new Error('The delivery summary never showed a pause');
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}
