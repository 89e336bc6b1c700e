import { Content, Header, Page } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { DeliverySummaryCard } from '../DeliverySummary';
import { NotificationSettingsCard } from '../NotificationSettingsCard';
import { SettingsHistoryCard } from '../SettingsHistory';

/** A page that hosts the notification settings card and, below it, its recent changes and how delivery went. */
export function NotificationSettingsPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Notification settings"
        subtitle="How your portal sends email"
      />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12} md={10} lg={8}>
            <NotificationSettingsCard />
          </Grid>
          <Grid item xs={12} md={10} lg={8}>
            <SettingsHistoryCard />
          </Grid>
          <Grid item xs={12} md={10} lg={8}>
            <DeliverySummaryCard />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
