import { createRouteRef } from '@backstage/core-plugin-api';

/**
 * The route of the notification settings page.
 *
 * @public
 */
export const rootRouteRef = createRouteRef({
  id: 'mailer',
});
