import { Content, Header, Page } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { ReactNode } from 'react';

/**
 * The Email settings page around the cards it is given, one under
 * the other: the new frontend system passes the cards attached to the page.
 */
export function NotificationSettingsLayout(props: {
  cards: Array<{ key: string; element: ReactNode }>;
}) {
  return (
    <Page themeId="tool">
      <Header
        title="Email settings"
        subtitle="How your portal sends email: the server, sender, delivery and suppressed addresses"
      />
      <Content>
        <Grid container spacing={3}>
          {props.cards.map(card => (
            <Grid item xs={12} md={10} lg={8} key={card.key}>
              {card.element}
            </Grid>
          ))}
        </Grid>
      </Content>
    </Page>
  );
}
