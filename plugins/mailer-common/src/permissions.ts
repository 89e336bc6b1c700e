import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Allows reading a tenant's notification settings (secrets are only ever shown as set/unset).
 *
 * @public
 */
export const mailerSettingsReadPermission = createPermission({
  name: 'mailer.settings.read',
  attributes: { action: 'read' },
});

/**
 * Allows changing a tenant's notification settings, and testing them.
 *
 * @public
 */
export const mailerSettingsManagePermission = createPermission({
  name: 'mailer.settings.manage',
  attributes: { action: 'update' },
});

/**
 * Allows reading a tenant's delivery records (recent mailings and failures).
 * Recipient addresses are shown in full only to those who may also manage
 * the settings; everyone else sees them masked.
 *
 * @public
 */
export const mailerDeliveryReadPermission = createPermission({
  name: 'mailer.delivery.read',
  attributes: { action: 'read' },
});

/**
 * Every permission the mailer plugins define, for registration with the host.
 *
 * @public
 */
export const mailerPermissions = [
  mailerSettingsReadPermission,
  mailerSettingsManagePermission,
  mailerDeliveryReadPermission,
];
