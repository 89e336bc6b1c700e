import { InfoCard, Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';

/**
 * Under a user's own notification switches: where an admin sets up the
 * server the portal's email goes through, which is not here.
 */
export function AdminEmailSettingsHint() {
  return (
    <Box mt={3}>
      <InfoCard title="How this portal sends email">
        <Typography variant="body2">
          These switches are yours alone. Administrators set up the server,
          sender and delivery of the portal's email in the{' '}
          <Link to="/email-settings">Email settings</Link>.
        </Typography>
      </InfoCard>
    </Box>
  );
}
