import request from 'supertest';

/** Saves settings through the API as the default mock user (allowed by default) and expects success. */
export async function saveSettings(
  server: Parameters<typeof request>[0],
  values: Record<string, string | number | null>,
) {
  return request(server)
    .put('/api/mailer/settings')
    .send({ values })
    .expect(200);
}
