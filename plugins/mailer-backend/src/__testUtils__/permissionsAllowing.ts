import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';

/**
 * A permission service for a test backend that allows exactly the
 * permissions `allows` says yes to, by name, whoever asks. The predicate
 * is asked at each request, so a test may change its answers as it goes.
 */
export function permissionsAllowing(allows: (permission: string) => boolean) {
  return mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(r => ({
        result: allows(r.permission.name)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })),
  }).factory;
}
