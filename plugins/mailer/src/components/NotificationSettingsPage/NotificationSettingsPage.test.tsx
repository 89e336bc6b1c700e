import { screen, within } from '@testing-library/react';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { counts, deliverySummary } from '../../__testUtils__/deliverySummaries';
import { renderWithMailerApi } from '../../__testUtils__/renderCard';
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
});
