import { Entity } from '@backstage/catalog-model';

/** A user entity as the catalog holds it; `email` undefined leaves the profile without one. */
export function userEntity(ref: string, email?: string): Entity {
  const [namespace, name] = ref.replace(/^user:/, '').split('/');
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace },
    spec: { profile: email ? { email } : {}, memberOf: [] },
  };
}

/** A group with its members, related the way the catalog relates them. */
export function groupEntity(ref: string, memberRefs: string[]): Entity {
  const [namespace, name] = ref.replace(/^group:/, '').split('/');
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace },
    spec: { type: 'team', children: [] },
    relations: memberRefs.map(targetRef => ({ type: 'hasMember', targetRef })),
  };
}
