import {
  Sidebar,
  SidebarDivider,
  SidebarItem,
  SidebarPage,
  SidebarSpace,
} from '@backstage/core-components';
import HomeIcon from '@material-ui/icons/Home';
import NotificationsIcon from '@material-ui/icons/Notifications';
import { PropsWithChildren } from 'react';

/** The portal's frame: a sidebar with Home and the notification settings. */
export function Root({ children }: PropsWithChildren<{}>) {
  return (
    <SidebarPage>
      <Sidebar>
        <SidebarItem icon={HomeIcon} to="home" text="Home" />
        <SidebarDivider />
        <SidebarItem
          icon={NotificationsIcon}
          to="notification-settings"
          text="Notifications"
        />
        <SidebarSpace />
      </Sidebar>
      {children}
    </SidebarPage>
  );
}
