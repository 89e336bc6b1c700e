import { DeliveryPause } from '@elixeum/plugin-mailer-common';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { replyText } from './deliveryText';
import { When } from './When';

/** The code of a pause for a day's sending limit used up: nothing failed. */
const DAY_LIMIT_CODE = 'EDAYLIMIT';

/** Mail waits because the day's recipients of the provider's limit are used up. */
function DayLimitNotice(props: { pause: DeliveryPause }) {
  const { pause } = props;
  return (
    <Alert severity="info" role="status">
      <AlertTitle>
        Mail is on hold: the day's sending limit is used up
      </AlertTitle>
      {pause.reason}
      {pause.advice && (
        <>
          <br />
          {pause.advice}
        </>
      )}
      <br />
      Sending goes on at <When iso={pause.nextAttemptAt} />.
    </Alert>
  );
}

/**
 * Says that mail is held back and why: the server failed as a whole, so
 * messages wait (none is failed) until it works again or the settings change.
 */
export function PauseNotice(props: { pause: DeliveryPause }) {
  const { pause } = props;
  if (pause.reply?.code === DAY_LIMIT_CODE)
    return <DayLimitNotice pause={pause} />;
  const whose =
    pause.server === 'custom'
      ? 'your SMTP server'
      : "the portal's default mailbox";
  const reply = replyText(pause.reply);
  return (
    <Alert severity="warning" role="status">
      <AlertTitle>Mail is on hold: {whose} is not working</AlertTitle>
      {pause.reason}
      {/* The reason usually quotes the reply already: say it once. */}
      {reply && !pause.reason.includes(reply) && ` (${reply})`}
      {pause.advice && (
        <>
          <br />
          What to do: {pause.advice}
        </>
      )}
      <br />
      On hold since <When iso={pause.since} />; tried {pause.failures}{' '}
      {pause.failures === 1 ? 'time' : 'times'}, next try at{' '}
      <When iso={pause.nextAttemptAt} />. No message is lost: they are sent as
      soon as the server works again
      {pause.server === 'custom'
        ? ', or at once when you fix the settings.'
        : '.'}
    </Alert>
  );
}
