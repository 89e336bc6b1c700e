import { DeliverySummaryCard } from '../DeliverySummary';
import { NotificationSettingsCard } from '../NotificationSettingsCard';
import { SettingsHistoryCard } from '../SettingsHistory';
import { SuppressedAddressesCard } from '../SuppressedAddresses';
import { NotificationSettingsLayout } from './NotificationSettingsLayout';

/** A page that hosts the notification settings card and, below it, its recent changes, how delivery went and the suppressed addresses. */
export function NotificationSettingsPage() {
  return (
    <NotificationSettingsLayout
      cards={[
        { key: 'settings', element: <NotificationSettingsCard /> },
        { key: 'history', element: <SettingsHistoryCard /> },
        { key: 'delivery', element: <DeliverySummaryCard /> },
        { key: 'suppressions', element: <SuppressedAddressesCard /> },
      ]}
    />
  );
}
