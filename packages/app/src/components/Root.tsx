import {
  Sidebar,
  SidebarDivider,
  SidebarItem,
  SidebarPage,
  SidebarSpace,
} from '@backstage/core-components';
import { NotificationsSidebarItem } from '@backstage/plugin-notifications';
import HomeIcon from '@material-ui/icons/Home';
import MailOutlineIcon from '@material-ui/icons/MailOutline';
import NotificationsIcon from '@material-ui/icons/Notifications';
import SettingsIcon from '@material-ui/icons/Settings';
import { PropsWithChildren } from 'react';

/**
 * The portal's frame: Home; the user's notifications (the bell, Backstage's
 * own) with, next to it, where admins set up how the portal sends email
 * (an envelope, "Email settings"); the user's own settings, where each user
 * switches notification channels.
 */
export function Root({ children }: PropsWithChildren<{}>) {
  return (
    <SidebarPage>
      <Sidebar>
        <SidebarItem icon={HomeIcon} to="home" text="Home" />
        <SidebarDivider />
        <NotificationsSidebarItem
          // Backstage's own item shows the count as a @backstage/ui Tag, which
          // warns in the console ("A `textValue` prop is required") for a number.
          renderItem={({ unreadCount, to, onClick }) => (
            <SidebarItem
              icon={NotificationsIcon}
              to={to}
              onClick={onClick}
              text={
                unreadCount > 0
                  ? `Notifications (${unreadCount > 99 ? '99+' : unreadCount})`
                  : 'Notifications'
              }
              hasNotifications={unreadCount > 0}
            />
          )}
        />
        <SidebarItem
          icon={MailOutlineIcon}
          to="email-settings"
          text="Email settings"
        />
        <SidebarSpace />
        <SidebarDivider />
        <SidebarItem icon={SettingsIcon} to="settings" text="Settings" />
      </Sidebar>
      {children}
    </SidebarPage>
  );
}
