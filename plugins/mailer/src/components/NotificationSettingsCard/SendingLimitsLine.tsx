import Typography from '@material-ui/core/Typography';
import {
  SENDING_LIMIT_PRESETS,
  sendingLimitsOf,
  SMTP_KEYS,
} from '@elixeum/plugin-mailer-common';

const PRESET_NAMES: Record<keyof typeof SENDING_LIMIT_PRESETS, string> = {
  'exchange-online': 'Exchange Online',
  'google-workspace': 'Google Workspace',
};

/**
 * How fast mail goes through the tenant's server as the form stands: the
 * limits of the chosen provider preset or the tenant's own, and what
 * happens once a day's limit is reached. Nothing without limits.
 */
export function SendingLimitsLine(props: {
  values: ReadonlyMap<string, string>;
}) {
  const { perMinute, perDay } = sendingLimitsOf(props.values);
  if (perMinute === undefined && perDay === undefined) return null;
  const preset = props.values.get(SMTP_KEYS.limitPreset) as
    keyof typeof SENDING_LIMIT_PRESETS | undefined;
  const parts = [
    perMinute !== undefined &&
      `${perMinute.toLocaleString('en-US')} messages a minute`,
    perDay !== undefined &&
      `${perDay.toLocaleString('en-US')} recipients a day`,
  ].filter(Boolean);
  return (
    <Typography
      variant="body2"
      color="textSecondary"
      aria-label="Sending limits"
    >
      Sending limits: at most {parts.join(' and ')}
      {preset && PRESET_NAMES[preset] ? ` (${PRESET_NAMES[preset]})` : ''},
      counted across all portal replicas.
      {perDay !== undefined &&
        " Once a day's recipients are used up, mail waits until they free up; the delivery view says until when."}
    </Typography>
  );
}
