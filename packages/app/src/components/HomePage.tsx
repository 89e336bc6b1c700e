import {
  Content,
  Header,
  InfoCard,
  Link,
  Page,
} from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { DemoButton } from './DemoButton';
import { WelcomeCard } from './WelcomeCard';

/** The example portal's landing page: points at the things there are to see. */
export function HomePage() {
  const title = useApi(configApiRef).getOptionalString('app.title');
  return (
    <Page themeId="home">
      <Header title={title ?? 'Backstage'} subtitle="Example portal" />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12} md={6}>
            <WelcomeCard />
          </Grid>
          <Grid item xs={12} md={6}>
            <InfoCard title="Notifications by email">
              <Typography variant="body1" paragraph>
                Backstage notifications are emailed through the mailer: to the
                address in your catalog profile, through your tenant's server.
                Switch the Email channel off in your{' '}
                <Link to="/settings/notifications">settings</Link>.
              </Typography>
              {/* The example backend's notificationDemo.ts sends it. */}
              <DemoButton
                pluginId="notification-demo"
                label="Send me a test notification"
                doneText="Sent. It is in your inbox, and its email in the mail catcher."
              />
            </InfoCard>
          </Grid>
          <Grid item xs={12} md={6}>
            <InfoCard title="Mass mailing">
              <Typography variant="body1" paragraph>
                Queue a personalised mailing of 60 messages to made-up
                customers, through your tenant's server, and watch its progress
                in the <Link to="/email-settings">Email settings</Link>.
              </Typography>
              {/* The example backend's mailingDemo.ts queues it. */}
              <DemoButton
                pluginId="mailing-demo"
                label="Send a demo mailing"
                doneText="Queued. Watch it go out in the Email settings."
              />
            </InfoCard>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
