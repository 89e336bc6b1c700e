import { createApiRef } from '@backstage/core-plugin-api';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  notificationsApiRef,
  notificationsPlugin,
} from '@backstage/plugin-notifications';
import MailOutlineIcon from '@material-ui/icons/MailOutline';
import { render, screen } from '@testing-library/react';
import { Root } from './Root';

// The notifications item posts toasts through the frontend system's toast
// API, which the app provides; the same id stands in for it here.
const toastApiRef = createApiRef<{ post(): void }>({ id: 'core.toast' });

describe('Root', () => {
  it('puts Email settings, with an envelope, right after the notifications bell, and shows the unread count without a console warning', async () => {
    const errors = jest.spyOn(console, 'error');
    const warnings = jest.spyOn(console, 'warn');
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [toastApiRef, { post: () => undefined }],
          [
            notificationsApiRef,
            {
              getStatus: async () => ({ unread: 3, read: 0 }),
            },
          ],
        ]}
      >
        <Root>
          <div />
        </Root>
      </TestApiProvider>,
      { mountedRoutes: { '/notifications': notificationsPlugin.routes.root } },
    );

    const notifications = await screen.findByRole('link', {
      name: /Notifications \(3\)/,
    });
    const email = screen.getByRole('link', { name: 'Email settings' });
    expect(email).toHaveAttribute('href', '/email-settings');
    const links = screen.getAllByRole('link');
    expect(links.indexOf(email)).toBe(links.indexOf(notifications) + 1);
    // An envelope, not the bell.
    expect(email.querySelector('svg')!.innerHTML).toBe(
      render(<MailOutlineIcon />).container.querySelector('svg')!.innerHTML,
    );
    const said = [...errors.mock.calls, ...warnings.mock.calls]
      .flat()
      .join(' ');
    expect(said).not.toMatch(/textValue/);
  });
});
