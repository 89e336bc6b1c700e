import { ResponseError } from '@backstage/errors';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderCard } from '../../__testUtils__/renderCard';

const withSender = {
  ...customServerSettings,
  settings: [
    ...customServerSettings.settings,
    {
      key: 'SMTP.From',
      value: 'noreply@example.com',
      set: true as const,
      secret: false,
    },
    {
      key: 'SMTP.RateLimit',
      value: '30',
      set: true as const,
      secret: false,
    },
  ],
};

const onlyServerSet = {
  settings: [
    {
      key: 'SMTP.Server',
      value: 'smtp.example.com',
      set: true as const,
      secret: false,
    },
  ],
  status: {
    server: 'default' as const,
    missingKeys: ['SMTP.Port', 'SMTP.Username', 'SMTP.Password'],
    sender: 'portal@mail.elixeum.example',
  },
};

async function badRequest(message: string) {
  const body = {
    error: { name: 'InputError', message },
    response: { statusCode: 400 },
  };
  return ResponseError.fromResponse(
    new Response(JSON.stringify(body), {
      status: 400,
      statusText: 'Bad Request',
      headers: { 'Content-Type': 'application/json' },
    }),
  );
}

describe('NotificationSettingsCard', () => {
  it('lists the keys that are set, with their labels and help text', async () => {
    await renderCard(new FakeMailerApi(customServerSettings));

    expect(screen.getByLabelText('SMTP server')).toHaveValue(
      'smtp.example.com',
    );
    expect(screen.getByLabelText('SMTP port')).toHaveValue('587');
    expect(screen.getByLabelText('Username')).toHaveValue('portal@example.com');
    expect(
      screen.getByText(/Host name or IP address of your SMTP server/),
    ).toBeInTheDocument();
    expect(screen.queryByLabelText('Sender address')).not.toBeInTheDocument();
    expect(
      screen.getByText(
        'Mail is sent through your SMTP server as portal@example.com.',
      ),
    ).toBeInTheDocument();
  });

  it('offers only the keys not set yet, and adds the chosen one with its default', async () => {
    await renderCard(new FakeMailerApi(onlyServerSet));
    expect(
      screen.getByText(
        'Mail is sent from the default mailbox (portal@mail.elixeum.example).',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Your SMTP server is used once these are set too: SMTP port, Username, Password.',
      ),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    const menu = screen.getByRole('menu');
    expect(
      within(menu)
        .getAllByRole('menuitem')
        .map(item => item.textContent),
    ).toEqual([
      'SMTP port',
      'Username',
      'Password',
      'Connection security',
      'Login method',
      'Sent with',
      'Trusted certificate authority',
      'Verify the server certificate',
      'Client name (EHLO)',
      'Sender address',
      'Sender name',
      'Reply-to address',
      'Messages per minute',
    ]);

    await userEvent.click(
      within(menu).getByRole('menuitem', { name: 'SMTP port' }),
    );
    expect(screen.getByLabelText('SMTP port')).toHaveValue('587');

    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(
      within(screen.getByRole('menu')).queryByRole('menuitem', {
        name: 'SMTP port',
      }),
    ).not.toBeInTheDocument();
  });

  it('shows a stored password as a blank field, "Stored — leave blank to keep"', async () => {
    await renderCard(new FakeMailerApi(customServerSettings));

    const password = screen.getByLabelText('Password');
    expect(password).toHaveAttribute('type', 'password');
    expect(password).toHaveValue('');
    expect(password).toHaveAccessibleDescription(
      'Stored — leave blank to keep',
    );
  });

  it('saves edits and removals in one request and leaves the blank password out', async () => {
    const api = new FakeMailerApi(withSender);
    await renderCard(api);

    await userEvent.clear(screen.getByLabelText('Messages per minute'));
    await userEvent.type(screen.getByLabelText('Messages per minute'), '60');
    await userEvent.click(
      screen.getByRole('button', { name: 'Remove Sender address' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    expect(api.updateRequests).toEqual([
      { values: { 'SMTP.RateLimit': '60', 'SMTP.From': null } },
    ]);
    expect(screen.getByLabelText('Messages per minute')).toHaveValue('60');
    expect(screen.queryByLabelText('Sender address')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Password')).toHaveValue('');
  });

  it('shows a validation error under the port field and saves nothing', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderCard(api);

    await userEvent.clear(screen.getByLabelText('SMTP port'));
    await userEvent.type(screen.getByLabelText('SMTP port'), '70000');

    expect(screen.getByLabelText('SMTP port')).toHaveAccessibleDescription(
      'SMTP port must be a whole number from 1 to 65535',
    );
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    expect(
      screen.getByRole('button', { name: 'Test connection' }),
    ).toBeDisabled();
    expect(api.updateRequests).toEqual([]);
  });

  it('is read-only without the manage permission', async () => {
    await renderCard(new FakeMailerApi(customServerSettings), {
      canManage: false,
    });

    expect(
      screen.getByText(/You can view these settings but not change them/),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('SMTP server')).toBeDisabled();
    expect(screen.getByLabelText('Password')).toBeDisabled();
    expect(
      screen.queryByRole('button', { name: 'Add' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Save' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /^Remove/ }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Test connection' }),
    ).not.toBeInTheDocument();
  });

  it("shows the server's error in the card and keeps the edits", async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.updateError = await badRequest(
      'Invalid settings: SMTP.Server must be a host name (e.g. smtp.example.com) or an IP address',
    );
    await renderCard(api);

    await userEvent.clear(screen.getByLabelText('SMTP server'));
    await userEvent.type(
      screen.getByLabelText('SMTP server'),
      'smtp.office365.com',
    );
    await userEvent.type(screen.getByLabelText(/^Password/), 'new-password');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Invalid settings: SMTP.Server must be a host name (e.g. smtp.example.com) or an IP address',
    );
    expect(screen.getByLabelText('SMTP server')).toHaveValue(
      'smtp.office365.com',
    );
    expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled();
  });

  it('asks for the password again as soon as the server, port, username or security changes', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderCard(api);
    const reenter =
      'Enter the password again for the new server: a stored password is only sent to the server it was saved for';

    await userEvent.clear(screen.getByLabelText('SMTP server'));
    await userEvent.type(
      screen.getByLabelText('SMTP server'),
      'smtp.other.example',
    );

    const password = screen.getByLabelText(/^Password/);
    expect(password).toBeRequired();
    expect(password).toHaveAccessibleDescription(reenter);
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    expect(
      screen.getByRole('button', { name: 'Test connection' }),
    ).toBeDisabled();

    // Back to the saved server: the stored password may stay.
    await userEvent.clear(screen.getByLabelText('SMTP server'));
    await userEvent.type(
      screen.getByLabelText('SMTP server'),
      'smtp.example.com',
    );
    expect(screen.getByLabelText('Password')).not.toBeRequired();
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(
      'Stored — leave blank to keep',
    );

    await userEvent.clear(screen.getByLabelText('SMTP port'));
    await userEvent.type(screen.getByLabelText('SMTP port'), '465');
    expect(screen.getByLabelText(/^Password/)).toHaveAccessibleDescription(
      reenter,
    );
    await userEvent.type(screen.getByLabelText(/^Password/), 'for-port-465');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    expect(api.updateRequests).toEqual([
      { values: { 'SMTP.Port': '465', 'SMTP.Password': 'for-port-465' } },
    ]);
  });
});
