import { HourlyDelivery } from '@elixeum/plugin-mailer-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const BAR = 10;
const GAP = 2;
const HEIGHT = 40;

const useStyles = makeStyles(theme => ({
  chart: { display: 'block', width: '100%', height: 56 },
  sent: { fill: theme.palette.success.main },
  failed: { fill: theme.palette.error.main },
  idle: { fill: theme.palette.action.disabledBackground },
  swatchSent: {
    display: 'inline-block',
    width: 10,
    height: 10,
    marginRight: 4,
    backgroundColor: theme.palette.success.main,
  },
  swatchFailed: {
    display: 'inline-block',
    width: 10,
    height: 10,
    marginRight: 4,
    backgroundColor: theme.palette.error.main,
  },
  axis: {
    display: 'flex',
    justifyContent: 'space-between',
    color: theme.palette.text.secondary,
  },
}));

const timeOf = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
  });

const sentOf = (hourly: HourlyDelivery[]) =>
  hourly.reduce((sum, h) => sum + h.sent, 0);
const failedOf = (hourly: HourlyDelivery[]) =>
  hourly.reduce((sum, h) => sum + h.failed, 0);

/** The totals the chart shows, in words: "Last 24 hours: 120 sent, 3 failed". */
export function hourlyTotalsText(hourly: HourlyDelivery[]): string {
  return `Last 24 hours: ${sentOf(hourly)} sent, ${failedOf(hourly)} failed`;
}

function Swatch(props: { className: string }) {
  return <span aria-hidden className={props.className} />;
}

/**
 * Messages sent and failed per hour over the last 24 hours, as small bars:
 * at a glance, whether mail flows. Each bar names its hour and counts on
 * hover; the whole chart is one image whose name gives the totals.
 */
export function DeliveryChart(props: { hourly: HourlyDelivery[] }) {
  const classes = useStyles();
  const { hourly } = props;
  const totals = hourlyTotalsText(hourly);
  const busiest = Math.max(1, ...hourly.map(h => h.sent + h.failed));
  const scale = (n: number) => (HEIGHT * n) / busiest;
  return (
    <Box mb={2}>
      {/* The same words as `totals`, with the bars' colours as a legend. */}
      <Typography variant="body2" component="p">
        Last 24 hours: <Swatch className={classes.swatchSent} />
        {sentOf(hourly)} sent, <Swatch className={classes.swatchFailed} />
        {failedOf(hourly)} failed
      </Typography>
      <svg
        role="img"
        aria-label={totals}
        viewBox={`0 0 ${hourly.length * (BAR + GAP) - GAP} ${HEIGHT}`}
        preserveAspectRatio="none"
        className={classes.chart}
      >
        <title>{totals}</title>
        {hourly.map((h, i) => {
          const x = i * (BAR + GAP);
          const sent = scale(h.sent);
          const failed = scale(h.failed);
          return (
            <g key={h.hour}>
              <title>{`From ${timeOf(h.hour)}: ${h.sent} sent, ${
                h.failed
              } failed`}</title>
              {/* An hour without mail still shows where it is. */}
              <rect
                x={x}
                y={HEIGHT - 1}
                width={BAR}
                height={1}
                className={classes.idle}
              />
              <rect
                x={x}
                y={HEIGHT - sent}
                width={BAR}
                height={sent}
                className={classes.sent}
              />
              <rect
                x={x}
                y={HEIGHT - sent - failed}
                width={BAR}
                height={failed}
                className={classes.failed}
              />
            </g>
          );
        })}
      </svg>
      {hourly.length > 0 && (
        <Typography variant="caption" component="div" className={classes.axis}>
          <span>{timeOf(hourly[0].hour)}</span>
          <span>now</span>
        </Typography>
      )}
    </Box>
  );
}
