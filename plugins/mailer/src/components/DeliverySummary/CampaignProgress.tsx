import { DeliveryState } from '@elixeum/plugin-mailer-common';
import { makeStyles } from '@material-ui/core/styles';
import { totalOf, waitingOf } from './deliveryText';

const useStyles = makeStyles(theme => ({
  track: {
    display: 'flex',
    height: 8,
    borderRadius: 4,
    overflow: 'hidden',
    backgroundColor: theme.palette.action.disabledBackground,
    margin: theme.spacing(0.5, 0),
    minWidth: 120,
  },
  sent: { backgroundColor: theme.palette.success.main },
  partial: { backgroundColor: theme.palette.warning.main },
  failed: { backgroundColor: theme.palette.error.main },
  suppressed: { backgroundColor: theme.palette.grey[500] },
}));

/**
 * How far a mailing has got: sent, partly sent, failed and suppressed of
 * all its messages, as one bar; the rest of the track is what still waits.
 * Screen readers hear the same counts as the text beside it.
 */
export function CampaignProgress(props: {
  counts: Record<DeliveryState, number>;
  /** What the bar is about, e.g. the mailing's subject. */
  label: string;
}) {
  const classes = useStyles();
  const { counts } = props;
  const total = totalOf(counts);
  const done = total - waitingOf(counts);
  const width = (n: number) => `${total > 0 ? (100 * n) / total : 0}%`;
  const partly = counts.partial ? `, ${counts.partial} partly sent` : '';
  const suppressed = counts.suppressed
    ? `, ${counts.suppressed} suppressed`
    : '';
  return (
    <div
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={done}
      aria-valuetext={`${counts.sent} sent, ${
        counts.failed
      } failed${partly}${suppressed}, ${waitingOf(counts)} waiting, of ${total}`}
      className={classes.track}
    >
      <div className={classes.sent} style={{ width: width(counts.sent) }} />
      <div
        className={classes.partial}
        style={{ width: width(counts.partial) }}
      />
      <div className={classes.failed} style={{ width: width(counts.failed) }} />
      <div
        className={classes.suppressed}
        style={{ width: width(counts.suppressed ?? 0) }}
      />
    </div>
  );
}
