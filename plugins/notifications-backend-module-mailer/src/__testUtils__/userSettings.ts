import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';

/**
 * Switches a channel off for notifications from one origin, through the
 * notifications backend's own settings API, as a user does with the switch
 * in the UserNotificationSettingsCard (it stores one row per origin).
 */
export async function switchChannelOff(
  server: Parameters<typeof request>[0],
  options: { user: string; channel: string; origin: string },
) {
  await request(server)
    .post('/api/notifications/settings')
    .set('Authorization', mockCredentials.user.header(options.user))
    .send({
      channels: [
        {
          id: options.channel,
          origins: [{ id: options.origin, enabled: false, topics: [] }],
        },
      ],
    })
    .expect(200);
}
