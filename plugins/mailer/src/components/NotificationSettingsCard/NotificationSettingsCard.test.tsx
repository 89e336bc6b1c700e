import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderCard } from '../../__testUtils__/renderCard';
import {
  badRequest,
  customServerWith,
  onlyServerSet,
  stored,
} from '../../__testUtils__/settingsFixtures';

const withSender = customServerWith(
  stored('SMTP.From', 'noreply@example.com'),
  stored('SMTP.RateLimit', '30'),
);

describe('NotificationSettingsCard', () => {
  it('lists the keys that are set, each with its label, its key name and its help text', async () => {
    await renderCard(new FakeMailerApi(customServerSettings));

    const server = screen.getByLabelText('SMTP server');
    expect(server).toHaveValue('smtp.example.com');
    expect(server).toHaveAccessibleDescription(
      'SMTP.Server Host name or IP address of your SMTP server, e.g. smtp.office365.com or smtp.gmail.com.',
    );
    expect(screen.getByText('SMTP.Server').tagName).toBe('CODE');
    expect(screen.getByLabelText('SMTP port')).toHaveValue('587');
    expect(screen.getByLabelText('Username')).toHaveValue('portal@example.com');
    expect(screen.queryByLabelText('Sender address')).not.toBeInTheDocument();
    expect(
      screen.getByText(
        'Mail is sent through your SMTP server as portal@example.com.',
      ),
    ).toBeInTheDocument();
  });

  it('offers the keys not set yet by label, with key name and help, and adds the chosen one with its default', async () => {
    await renderCard(new FakeMailerApi(onlyServerSet));
    expect(
      screen.getByText(
        'Mail is sent from the default mailbox (portal@mail.elixeum.example).',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Your SMTP server is used once these are set too: SMTP port (SMTP.Port), Username (SMTP.Username), Password (SMTP.Password).',
      ),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    const items = within(screen.getByRole('menu')).getAllByRole('menuitem');
    expect(items.map(item => item.querySelector('code')?.textContent)).toEqual([
      'SMTP.Port',
      'SMTP.Username',
      'SMTP.Password',
      'SMTP.Security',
      'SMTP.AuthMethod',
      'SMTP.Transport',
      'SMTP.TLS.CA',
      'SMTP.TLS.RejectUnauthorized',
      'SMTP.HeloName',
      'SMTP.From',
      'SMTP.FromName',
      'SMTP.ReplyTo',
      'SMTP.RateLimit',
      'SMTP.UnsubscribeMailbox',
      'SMTP.LimitPreset',
      'SMTP.DailyLimit',
      // The selector and key only apply once the portal signs for a domain.
      'SMTP.DKIM.Domain',
    ]);
    // Named by the label alone, as the E2E test and screen readers find it.
    const port = within(screen.getByRole('menu')).getByRole('menuitem', {
      name: 'SMTP port',
    });
    expect(port).toHaveTextContent(/^SMTP port SMTP\.Port\s*Usually 587/);
    expect(port).toHaveAccessibleDescription(
      expect.stringContaining('Usually 587 (submission with STARTTLS).'),
    );

    await userEvent.click(port);
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
      expect.stringMatching(/^Stored — leave blank to keep SMTP\.Password /),
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
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    expect(api.updateRequests).toEqual([
      { values: { 'SMTP.RateLimit': '60', 'SMTP.From': null } },
    ]);
    expect(screen.getByLabelText('Messages per minute')).toHaveValue('60');
    expect(screen.queryByLabelText('Sender address')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Password')).toHaveValue('');
    expect(screen.queryByText('Unsaved changes')).not.toBeInTheDocument();
  });

  it('shows a validation error under the port field once the user leaves it, and saves nothing', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderCard(api);
    const port = screen.getByLabelText('SMTP port');

    await userEvent.clear(port);
    await userEvent.type(port, '70000');
    expect(port).not.toHaveAttribute('aria-invalid', 'true');
    await userEvent.tab();

    expect(port).toHaveAttribute('aria-invalid', 'true');
    expect(port).toHaveAccessibleDescription(
      expect.stringMatching(
        /^SMTP port must be a whole number from 1 to 65535 SMTP\.Port Usually 587/,
      ),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(
      // A new port needs the stored password again, too.
      screen.getByText(
        'Fix the marked settings first: SMTP.Port, SMTP.Password.',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection' }),
    );
    expect(api.updateRequests).toEqual([]);
    expect(api.testRequests).toEqual([]);
  });

  it("marks the field the server's refusal names, with its words, and keeps the edits", async () => {
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
      'Not saved: the server refused SMTP.Server. See the marked field.',
    );
    const server = screen.getByLabelText('SMTP server');
    expect(server).toHaveAttribute('aria-invalid', 'true');
    expect(server).toHaveAccessibleDescription(
      /^Invalid settings: SMTP.Server must be a host name \(e.g. smtp.example.com\) or an IP address SMTP.Server /,
    );
    expect(server).toHaveValue('smtp.office365.com');
    expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled();

    // Changing the field clears the refusal: it was about the old value.
    await userEvent.type(server, 'x');
    expect(server).toHaveAttribute('aria-invalid', 'false');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows a refusal once, after a connection test and then a save, at the port field it names', async () => {
    // As the server policy words it, naming the key in the body too.
    const refusal =
      'SMTP.Port 587 is not allowed for tenant SMTP servers here. Allowed ports: 2525.';
    const api = new FakeMailerApi(customServerSettings);
    api.testError = await badRequest(refusal, 'SMTP.Port');
    api.updateError = await badRequest(refusal, 'SMTP.Port');
    await renderCard(api);

    await userEvent.clear(screen.getByLabelText('SMTP port'));
    await userEvent.type(screen.getByLabelText('SMTP port'), '587');
    await userEvent.type(screen.getByLabelText(/^Password/), 'new-password');
    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Not tested: the server refused SMTP.Port. See the marked field.',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(
      'Not saved: the server refused SMTP.Port. See the marked field.',
    );

    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(screen.getAllByText(refusal, { exact: false })).toHaveLength(1);
    expect(screen.getByLabelText('SMTP port')).toHaveAccessibleDescription(
      /^SMTP.Port 587 is not allowed for tenant SMTP servers here. Allowed ports: 2525. SMTP.Port /,
    );
  });

  it('shows a refusal that names no field of the form in full', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.testError = await badRequest('The request body is not valid JSON');
    await renderCard(api);
    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The request body is not valid JSON',
    );
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

    // Shown at once, though the user never typed in the password field.
    const password = screen.getByLabelText(/^Password/);
    expect(password).toBeRequired();
    expect(password).toHaveAccessibleDescription(
      expect.stringContaining(reenter),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection' }),
    );
    expect(api.updateRequests).toEqual([]);
    expect(api.testRequests).toEqual([]);

    // Back to the saved server: the stored password may stay.
    await userEvent.clear(screen.getByLabelText('SMTP server'));
    await userEvent.type(
      screen.getByLabelText('SMTP server'),
      'smtp.example.com',
    );
    expect(screen.getByLabelText('Password')).not.toBeRequired();
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(
      expect.stringMatching(/^Stored — leave blank to keep SMTP\.Password /),
    );

    await userEvent.clear(screen.getByLabelText('SMTP port'));
    await userEvent.type(screen.getByLabelText('SMTP port'), '465');
    expect(screen.getByLabelText(/^Password/)).toHaveAccessibleDescription(
      expect.stringContaining(reenter),
    );
    await userEvent.type(screen.getByLabelText(/^Password/), 'for-port-465');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    expect(api.updateRequests).toEqual([
      { values: { 'SMTP.Port': '465', 'SMTP.Password': 'for-port-465' } },
    ]);
  });
});
