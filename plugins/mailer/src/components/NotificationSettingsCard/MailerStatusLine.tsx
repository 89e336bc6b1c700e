import Typography from '@material-ui/core/Typography';
import { findSettingKey, MailerStatus } from '@elixeum/plugin-mailer-common';
import { statusChanges } from './statusPreview';

function mailbox(sender: string): string {
  return sender ? `the default mailbox (${sender})` : 'the default mailbox';
}

/** Where mail goes with `status`, as a sentence in the given tense. */
function whereMailGoes(status: MailerStatus, after: boolean): string {
  if (status.server === 'custom') {
    const as = status.sender || "the default mailbox's sender";
    return after
      ? `After saving, mail will go through your SMTP server as ${as}.`
      : `Mail is sent through your SMTP server as ${as}.`;
  }
  return after
    ? `After saving, mail will go from ${mailbox(status.sender)}.`
    : `Mail is sent from ${mailbox(status.sender)}.`;
}

/**
 * Which server the saved settings send mail through; with unsaved edits,
 * where it will go after saving, and what is missing for the tenant's own.
 */
export function MailerStatusLine(props: {
  saved: MailerStatus;
  /** Where mail goes once the form is saved; the same as `saved` without edits. */
  preview: MailerStatus;
  /** The form holds settings, so a list of what is missing helps. */
  hasSettings: boolean;
}) {
  const { saved, preview, hasSettings } = props;
  const missing = preview.missingKeys.map(key => {
    const label = findSettingKey(key)?.label;
    return label ? `${label} (${key})` : key;
  });
  return (
    <>
      <Typography variant="body1">{whereMailGoes(saved, false)}</Typography>
      {statusChanges(preview, saved) && (
        <Typography variant="body1">
          <strong>{whereMailGoes(preview, true)}</strong>
        </Typography>
      )}
      {hasSettings && missing.length > 0 && (
        <Typography variant="body2" color="textSecondary">
          Your SMTP server is used once these are set too: {missing.join(', ')}.
        </Typography>
      )}
    </>
  );
}
