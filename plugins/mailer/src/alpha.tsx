import {
  ApiBlueprint,
  coreExtensionData,
  createExtension,
  createExtensionInput,
  createFrontendPlugin,
  discoveryApiRef,
  ExtensionBoundary,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import MailOutlineIcon from '@material-ui/icons/MailOutline';
import { mailerApiRef } from './api/MailerApi';
import { MailerClient } from './api/MailerClient';
import { rootRouteRef } from './routes';

const mailerApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: mailerApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MailerClient({ discoveryApi, fetchApi }),
    }),
});

// Backstage's notifications plugin is "Notifications" with a bell, and a
// user's own switches are "Settings → Notifications": this page is named and
// drawn apart from both, as an envelope.
const TITLE = 'Email settings';
const icon = () => <MailOutlineIcon fontSize="inherit" />;

/**
 * The Email settings page: the cards attached to its `cards` input,
 * one under the other (by default the settings, their recent changes, the
 * delivery view and the suppressed addresses).
 */
const notificationSettingsPage = PageBlueprint.makeWithOverrides({
  inputs: {
    cards: createExtensionInput([coreExtensionData.reactElement]),
  },
  factory(originalFactory, { inputs }) {
    const cards = inputs.cards.map(card => ({
      key: card.node.spec.id,
      element: card.get(coreExtensionData.reactElement),
    }));
    return originalFactory({
      path: '/email-settings',
      title: TITLE,
      icon: icon(),
      routeRef: rootRouteRef,
      // The page brings its own "Email settings" header.
      noHeader: true,
      loader: () =>
        import('./components/NotificationSettingsPage/NotificationSettingsLayout').then(
          m => <m.NotificationSettingsLayout cards={cards} />,
        ),
    });
  },
});

// Each card is an extension of its own: a host places it on another page by
// attaching it to an input that takes a React element, e.g. in app-config
// `app.extensions: [{ 'card:mailer/delivery-summary': { attachTo: { id: 'page:home', input: 'cards' } } }]`,
// or leaves it out with `'card:mailer/settings-history': false`.

const settingsCard = createExtension({
  kind: 'card',
  name: 'notification-settings',
  attachTo: { id: 'page:mailer', input: 'cards' },
  output: [coreExtensionData.reactElement],
  factory: ({ node }) => [
    coreExtensionData.reactElement(
      ExtensionBoundary.lazy(node, () =>
        import('./components/NotificationSettingsCard').then(m => (
          <m.NotificationSettingsCard />
        )),
      ),
    ),
  ],
});

const settingsHistoryCard = createExtension({
  kind: 'card',
  name: 'settings-history',
  attachTo: { id: 'page:mailer', input: 'cards' },
  output: [coreExtensionData.reactElement],
  factory: ({ node }) => [
    coreExtensionData.reactElement(
      ExtensionBoundary.lazy(node, () =>
        import('./components/SettingsHistory').then(m => (
          <m.SettingsHistoryCard />
        )),
      ),
    ),
  ],
});

const deliverySummaryCard = createExtension({
  kind: 'card',
  name: 'delivery-summary',
  attachTo: { id: 'page:mailer', input: 'cards' },
  output: [coreExtensionData.reactElement],
  factory: ({ node }) => [
    coreExtensionData.reactElement(
      ExtensionBoundary.lazy(node, () =>
        import('./components/DeliverySummary').then(m => (
          <m.DeliverySummaryCard />
        )),
      ),
    ),
  ],
});

const suppressedAddressesCard = createExtension({
  kind: 'card',
  name: 'suppressed-addresses',
  attachTo: { id: 'page:mailer', input: 'cards' },
  output: [coreExtensionData.reactElement],
  factory: ({ node }) => [
    coreExtensionData.reactElement(
      ExtensionBoundary.lazy(node, () =>
        import('./components/SuppressedAddresses').then(m => (
          <m.SuppressedAddressesCard />
        )),
      ),
    ),
  ],
});

/**
 * The mailer frontend plugin, for apps on the new frontend system: the
 * Email settings page at `/email-settings`, and its cards
 * (`card:mailer/notification-settings`, `card:mailer/settings-history`,
 * `card:mailer/delivery-summary`, `card:mailer/suppressed-addresses`) to
 * place on other pages too.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'mailer',
  title: TITLE,
  icon: icon(),
  routes: { root: rootRouteRef },
  // The cards in the order the page shows them.
  extensions: [
    mailerApi,
    notificationSettingsPage,
    settingsCard,
    settingsHistoryCard,
    deliverySummaryCard,
    suppressedAddressesCard,
  ],
});
