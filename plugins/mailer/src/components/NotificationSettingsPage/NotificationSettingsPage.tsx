import { Content, Header, Page } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { NotificationSettingsCard } from '../NotificationSettingsCard';

/** A page that hosts the notification settings card. */
export function NotificationSettingsPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Notification settings"
        subtitle="How your portal sends email"
      />
      <Content>
        <Grid container>
          <Grid item xs={12} md={10} lg={8}>
            <NotificationSettingsCard />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
