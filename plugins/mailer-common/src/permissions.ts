import { createPermission } from '@backstage/plugin-permission-common';

/** Allows reading a tenant's notification settings (secrets are only ever shown as set/unset). */
export const mailerSettingsReadPermission = createPermission({
  name: 'mailer.settings.read',
  attributes: { action: 'read' },
});

/** Allows changing a tenant's notification settings, and testing them. */
export const mailerSettingsManagePermission = createPermission({
  name: 'mailer.settings.manage',
  attributes: { action: 'update' },
});

/** Every permission the mailer plugins define, for registration with the host. */
export const mailerPermissions = [
  mailerSettingsReadPermission,
  mailerSettingsManagePermission,
];
