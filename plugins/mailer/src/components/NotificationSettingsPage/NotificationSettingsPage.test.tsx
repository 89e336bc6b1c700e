import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { counts, deliverySummary } from '../../__testUtils__/deliverySummaries';
import { renderWithMailerApi } from '../../__testUtils__/renderCard';
import { customServerWith, stored } from '../../__testUtils__/settingsFixtures';
import { NotificationSettingsPage } from './NotificationSettingsPage';

describe('NotificationSettingsPage', () => {
  it('shows the delivery summary below the settings, also to read-only users', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.deliverySummary = deliverySummary({
      campaigns: [
        {
          campaignId: 'c-1',
          kind: 'bulk',
          createdAt: '2025-03-01T08:00:00.000Z',
          subject: 'Welcome',
          counts: counts({ sent: 3 }),
          unsubscribes: 0,
        },
      ],
    });
    await renderWithMailerApi(<NotificationSettingsPage />, api, {
      canManage: false,
    });

    const settingsTitle = await screen.findByText('Outgoing email');
    const mailings = await screen.findByRole('table', {
      name: 'Recent mailings',
    });
    expect(
      within(mailings).getByText('3 sent · 0 failed · 0 waiting'),
    ).toBeVisible();
    expect(
      settingsTitle.compareDocumentPosition(mailings) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(
      await screen.findByText(
        /You can view these settings but not change them/,
      ),
    ).toBeVisible();
  });

  it('is called Email settings', async () => {
    await renderWithMailerApi(
      <NotificationSettingsPage />,
      new FakeMailerApi(customServerSettings),
    );
    expect(
      await screen.findByRole('heading', { name: 'Email settings' }),
    ).toBeVisible();
  });

  it('refreshes the delivery summary after a test email and after a save', async () => {
    const api = new FakeMailerApi(
      customServerWith(stored('SMTP.FromName', 'Portal')),
    );
    await renderWithMailerApi(<NotificationSettingsPage />, api);
    await screen.findByText('No mail sent yet.');

    api.deliverySummary = deliverySummary({
      campaigns: [
        {
          campaignId: 't-1',
          kind: 'test',
          createdAt: '2025-03-01T08:00:00.000Z',
          subject: 'Test message from your portal',
          counts: counts({ sent: 1 }),
          unsubscribes: 0,
        },
      ],
    });
    await userEvent.type(
      screen.getByLabelText('Test email address'),
      'me@example.com',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Send test email' }),
    );
    const mailings = await screen.findByRole('table', {
      name: 'Recent mailings',
    });
    expect(
      within(mailings).getByText('Test message from your portal'),
    ).toBeVisible();

    const before = api.deliverySummaryRequests;
    await userEvent.type(screen.getByLabelText('Sender name'), 's');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Settings saved.');
    await waitFor(() =>
      expect(api.deliverySummaryRequests).toBeGreaterThan(before),
    );
  });
});
