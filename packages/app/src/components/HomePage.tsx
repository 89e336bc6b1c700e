import {
  Content,
  Header,
  InfoCard,
  Link,
  Page,
} from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import Typography from '@material-ui/core/Typography';

/** The example portal's landing page: points at the one thing there is to see. */
export function HomePage() {
  const title = useApi(configApiRef).getOptionalString('app.title');
  return (
    <Page themeId="home">
      <Header title={title ?? 'Backstage'} subtitle="Example portal" />
      <Content>
        <InfoCard title="Welcome">
          <Typography variant="body1">
            All mail of this portal goes out from the default mailbox until you
            set up your own SMTP server in the{' '}
            <Link to="/notification-settings">notification settings</Link>.
          </Typography>
        </InfoCard>
      </Content>
    </Page>
  );
}
