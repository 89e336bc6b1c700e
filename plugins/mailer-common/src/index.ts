/**
 * Shared parts of the Elixeum mailer plugins: permissions, the setting-key
 * catalog, validation, API types and the delivery error.
 *
 * @packageDocumentation
 */

export * from './permissions';
export * from './settingKeys';
export * from './settingRequirements';
export * from './mailerStatus';
export * from './settingValidation';
export * from './addressSyntax';
export * from './mailMessage';
export * from './MailDeliveryError';
export * from './smtpReplyText';
export * from './settingsApi';
export * from './settingsHistory';
export * from './connectionTest';
export * from './senderCheck';
export * from './delivery';
export * from './secretBinding';
export * from './bulkRecipient';
export * from './idempotencyKey';
export * from './suppression';
export * from './dkimKey';
export * from './bounceReports';
export * from './providerPresets';
