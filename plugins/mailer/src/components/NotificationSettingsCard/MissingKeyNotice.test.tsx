import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import {
  renderCard,
  renderWithMailerApi,
} from '../../__testUtils__/renderCard';
import { NotificationSettingsPage } from '../NotificationSettingsPage';

const passwordUnderMissingKey = {
  ...customServerSettings,
  status: {
    ...customServerSettings.status,
    secretsWithMissingKey: [{ key: 'SMTP.Password', keyId: '2025-01' }],
  },
};

describe('MissingKeyNotice in the settings card', () => {
  it('names the secret and the missing key id in the status area, and says to enter it again or ask the operator', async () => {
    const api = new FakeMailerApi(passwordUnderMissingKey);
    await renderCard(api);

    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Mail through your SMTP server is waiting');
    expect(alert).toHaveTextContent(
      'SMTP.Password (Password) was stored with encryption key "2025-01", which this portal no longer has.',
    );
    expect(alert).toHaveTextContent(
      'Enter it again and save, or ask your portal operator to add encryption key "2025-01" back to mailer.encryption.keys.',
    );
    // In the status area: after where mail goes, before the fields.
    expect(
      screen
        .getByText(/^Mail is sent through your SMTP server/)
        .compareDocumentPosition(alert) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(
      expect.stringMatching(
        /^Stored, but unreadable: encryption key "2025-01" is missing — enter it again SMTP\.Password /,
      ),
    );

    await userEvent.type(screen.getByLabelText('Password'), 'entered-again');
    expect(alert).toHaveTextContent(
      'The value you entered replaces it when you save.',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    expect(api.updateRequests).toEqual([
      { values: { 'SMTP.Password': 'entered-again' } },
    ]);
    expect(
      screen.queryByText('Mail through your SMTP server is waiting'),
    ).not.toBeInTheDocument();
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(
      expect.stringMatching(/^Stored — leave blank to keep SMTP\.Password /),
    );
  });

  it('tells a reader without the manage permission who can fix it', async () => {
    await renderCard(new FakeMailerApi(passwordUnderMissingKey), {
      canManage: false,
    });

    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(
      'SMTP.Password (Password) was stored with encryption key "2025-01", which this portal no longer has.',
    );
    expect(alert).toHaveTextContent(
      'Someone who manages these settings can enter it again, or your portal operator can add encryption key "2025-01" back to mailer.encryption.keys.',
    );
  });

  it('shows nothing while every secret can be read', async () => {
    await renderCard(new FakeMailerApi(customServerSettings));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('is said once on the Email settings page, by the card', async () => {
    await renderWithMailerApi(
      <NotificationSettingsPage />,
      new FakeMailerApi(passwordUnderMissingKey),
    );
    expect(
      await screen.findByText('Mail through your SMTP server is waiting'),
    ).toBeVisible();
    await screen.findByRole('button', { name: 'Add' });
    expect(
      screen.getAllByText('Mail through your SMTP server is waiting'),
    ).toHaveLength(1);
  });
});
