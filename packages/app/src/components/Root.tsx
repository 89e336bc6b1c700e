import {
  Sidebar,
  SidebarDivider,
  SidebarItem,
  SidebarPage,
  SidebarSpace,
} from '@backstage/core-components';
import { NotificationsSidebarItem } from '@backstage/plugin-notifications';
import HomeIcon from '@material-ui/icons/Home';
import InboxIcon from '@material-ui/icons/Inbox';
import NotificationsIcon from '@material-ui/icons/Notifications';
import SettingsIcon from '@material-ui/icons/Settings';
import { PropsWithChildren } from 'react';

/**
 * The portal's frame: Home; the tenant's notification settings (the mailer);
 * the user's notifications (Inbox) and their settings, both Backstage's own.
 */
export function Root({ children }: PropsWithChildren<{}>) {
  return (
    <SidebarPage>
      <Sidebar>
        <SidebarItem icon={HomeIcon} to="home" text="Home" />
        <SidebarDivider />
        {/* The bell is ours: Backstage's own notifications are "Inbox" here. */}
        <SidebarItem
          icon={NotificationsIcon}
          to="notification-settings"
          text="Notification settings"
        />
        <NotificationsSidebarItem icon={InboxIcon} text="Inbox" />
        <SidebarSpace />
        <SidebarDivider />
        <SidebarItem icon={SettingsIcon} to="settings" text="Settings" />
      </Sidebar>
      {children}
    </SidebarPage>
  );
}
