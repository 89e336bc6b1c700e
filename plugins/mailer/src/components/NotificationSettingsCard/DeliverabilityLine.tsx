import Typography from '@material-ui/core/Typography';
import { deliverabilityOf } from '@elixeum/plugin-mailer-common';
import { lastResultOf, SenderCheckState } from './useSenderCheck';

/**
 * The card's deliverability line: "Ready for bulk mail" only when SPF,
 * DKIM and DMARC pass and align, otherwise what is missing, most
 * important first.
 */
export function DeliverabilityLine(props: { state: SenderCheckState }) {
  const result = lastResultOf(props.state);
  if (!result) {
    return props.state.status === 'running' ? (
      <Typography variant="body2" color="textSecondary">
        Checking the sender's SPF, DKIM and DMARC…
      </Typography>
    ) : null;
  }
  const { ready, summary } = deliverabilityOf(result.checks);
  return (
    <Typography
      variant="body2"
      role="status"
      aria-label="Deliverability"
      style={{ fontWeight: ready ? 500 : undefined }}
      color={ready ? 'textPrimary' : 'error'}
    >
      {summary}{' '}
      <Typography variant="body2" component="span" color="textSecondary">
        ({result.sender})
      </Typography>
    </Typography>
  );
}
