import { DeliverySummaryCard } from '../DeliverySummary';
import { NotificationSettingsCard } from '../NotificationSettingsCard';
import { SettingsHistoryCard } from '../SettingsHistory';
import { NotificationSettingsLayout } from './NotificationSettingsLayout';

/** A page that hosts the notification settings card and, below it, its recent changes and how delivery went. */
export function NotificationSettingsPage() {
  return (
    <NotificationSettingsLayout
      cards={[
        { key: 'settings', element: <NotificationSettingsCard /> },
        { key: 'history', element: <SettingsHistoryCard /> },
        { key: 'delivery', element: <DeliverySummaryCard /> },
      ]}
    />
  );
}
