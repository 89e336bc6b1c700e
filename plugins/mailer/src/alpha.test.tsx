import {
  coreExtensionData,
  createExtensionInput,
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import MailOutlineIcon from '@material-ui/icons/MailOutline';
import { render, screen } from '@testing-library/react';
import { SWRConfig } from 'swr';
import {
  customServerSettings,
  FakeMailerApi,
} from './__testUtils__/FakeMailerApi';
import { mailerApiRef } from './api/MailerApi';
import mailerPlugin from './alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';

function apis(api = new FakeMailerApi(customServerSettings)) {
  return [
    [mailerApiRef, api],
    [permissionApiRef, mockApis.permission()],
  ] as const;
}

/** A page of the host with a place for cards, as an admin page might have. */
const adminPage = PageBlueprint.makeWithOverrides({
  inputs: { cards: createExtensionInput([coreExtensionData.reactElement]) },
  factory(originalFactory, { inputs }) {
    return originalFactory({
      path: '/admin',
      title: 'Admin',
      loader: async () => (
        <div>
          {inputs.cards.map(card => (
            <section key={card.node.spec.id}>
              {card.get(coreExtensionData.reactElement)}
            </section>
          ))}
        </div>
      ),
    });
  },
});

describe('the mailer in the new frontend system', () => {
  it("brings the Email settings page with its cards, named and drawn apart from Backstage's notifications", async () => {
    renderTestApp({
      features: [mailerPlugin, notificationsPlugin],
      initialRouteEntries: ['/email-settings'],
      apis: apis(),
    });
    expect(
      await screen.findByRole('heading', { name: 'Email settings' }),
    ).toBeInTheDocument();
    const settings = await screen.findByText('Outgoing email');
    const delivery = await screen.findByText('Email delivery');
    const suppressed = await screen.findByText('Suppressed addresses');
    expect(
      settings.compareDocumentPosition(delivery) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(
      delivery.compareDocumentPosition(suppressed) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();

    // Both in the sidebar: different names, different icons.
    const ours = screen.getByRole('link', { name: 'Email settings' });
    const theirs = screen.getByRole('link', { name: 'Notifications' });
    expect(ours).toHaveAttribute('href', '/email-settings');
    expect(theirs).toHaveAttribute('href', '/notifications');
    const iconOf = (element: Element) =>
      element.querySelector('svg')!.innerHTML;
    expect(iconOf(ours)).not.toBe(iconOf(theirs));
    // An envelope, not a bell.
    expect(iconOf(ours)).toBe(iconOf(render(<MailOutlineIcon />).container));
  });

  it('offers the delivery view as a card a host places on its own page', async () => {
    renderTestApp({
      features: [
        mailerPlugin,
        createFrontendPlugin({ pluginId: 'admin', extensions: [adminPage] }),
      ],
      config: {
        app: {
          extensions: [
            {
              'card:mailer/delivery-summary': {
                attachTo: { id: 'page:admin', input: 'cards' },
              },
            },
          ],
        },
      },
      initialRouteEntries: ['/admin'],
      apis: apis(),
    });
    expect(await screen.findByText('Email delivery')).toBeInTheDocument();
    expect(screen.queryByText('Outgoing email')).not.toBeInTheDocument();
  });

  it.each([
    ['card:mailer/notification-settings', 'Outgoing email'],
    ['card:mailer/suppressed-addresses', 'Suppressed addresses'],
  ] as const)('renders the card extension %s by itself', async (id, title) => {
    const tester = createExtensionTester(mailerPlugin.getExtension(id));
    renderInTestApp(
      <SWRConfig value={{ provider: () => new Map() }}>
        {tester.reactElement()}
      </SWRConfig>,
      { apis: apis() },
    );
    expect(await screen.findByText(title)).toBeInTheDocument();
  });
});
