import { SuppressionReason } from '@elixeum/plugin-mailer-common';

const REASONS: Record<SuppressionReason, string> = {
  unsubscribed: 'unsubscribed',
  'hard-bounce': 'bounced (address does not exist)',
  'soft-bounce': 'bounced for now',
  complaint: 'marked as spam',
  admin: 'added by an administrator',
};

/** Why an address is suppressed, in a few words; a reason this version does not know is shown as it is. */
export function reasonText(reason: string): string {
  return REASONS[reason as SuppressionReason] ?? reason;
}
