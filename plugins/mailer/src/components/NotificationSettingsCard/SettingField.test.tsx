import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderCard } from '../../__testUtils__/renderCard';
import {
  customServerWith,
  onlyServerSet,
  PEM_CERTIFICATE,
  PEM_PRIVATE_KEY,
  stored,
  storedSecret,
} from '../../__testUtils__/settingsFixtures';

async function add(label: string) {
  await userEvent.click(screen.getByRole('button', { name: 'Add' }));
  await userEvent.click(
    within(screen.getByRole('menu')).getByRole('menuitem', { name: label }),
  );
}

describe('SettingField', () => {
  it('is not red when just added, shows its problem once typed in and left, and every problem after a save attempt', async () => {
    const api = new FakeMailerApi(onlyServerSet);
    await renderCard(api);

    await add('Sender address');
    await add('Password');
    const sender = screen.getByLabelText('Sender address');
    const password = screen.getByLabelText('Password');
    expect(sender).not.toHaveAttribute('aria-invalid', 'true');
    expect(password).not.toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveAccessibleDescription(
      expect.stringMatching(/^SMTP\.Password Stored encrypted/),
    );

    // Leaving a field without typing in it does not make it red either.
    await userEvent.click(password);
    await userEvent.tab();
    expect(password).not.toHaveAttribute('aria-invalid', 'true');

    await userEvent.type(sender, 'noreply');
    expect(sender).not.toHaveAttribute('aria-invalid', 'true');
    await userEvent.tab();
    expect(sender).toHaveAttribute('aria-invalid', 'true');
    expect(sender).toHaveAccessibleDescription(
      expect.stringMatching(
        /^Sender address must be a mail address such as no-reply@example\.com SMTP\.From The From address/,
      ),
    );
    // From then on the message follows what is typed.
    await userEvent.type(sender, '@example.com');
    expect(sender).not.toHaveAttribute('aria-invalid', 'true');
    expect(password).not.toHaveAttribute('aria-invalid', 'true');

    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveAccessibleDescription(
      expect.stringMatching(/^Password must not be empty SMTP\.Password /),
    );
    expect(
      screen.getByText('Fix the marked settings first: SMTP.Password.'),
    ).toBeInTheDocument();
    expect(api.updateRequests).toEqual([]);
  });

  it('preselects the default of a choice, derived from the port where it depends on it', async () => {
    const api = new FakeMailerApi(onlyServerSet);
    await renderCard(api);

    await add('SMTP port');
    await add('Connection security');
    expect(screen.getByLabelText('Connection security')).toHaveValue(
      'starttls',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Remove Connection security' }),
    );
    await userEvent.clear(screen.getByLabelText('SMTP port'));
    await userEvent.type(screen.getByLabelText('SMTP port'), '465');
    await add('Connection security');
    expect(screen.getByLabelText('Connection security')).toHaveValue('tls');
    await add('Login method');
    expect(screen.getByLabelText('Login method')).toHaveValue('login');
    await add('Verify the server certificate');
    expect(screen.getByLabelText('Verify the server certificate')).toHaveValue(
      'true',
    );

    await add('Username');
    await userEvent.type(screen.getByLabelText('Username'), 'me@example.com');
    await add('Password');
    await userEvent.type(screen.getByLabelText('Password'), 'app-password');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    expect(api.updateRequests).toEqual([
      {
        values: {
          'SMTP.Port': '465',
          'SMTP.Security': 'tls',
          'SMTP.AuthMethod': 'login',
          'SMTP.TLS.RejectUnauthorized': 'true',
          'SMTP.Username': 'me@example.com',
          'SMTP.Password': 'app-password',
        },
      },
    ]);
  });

  it('keeps the help text of a choice visible together with its error', async () => {
    await renderCard(new FakeMailerApi(customServerSettings));

    await add('Login method');
    await userEvent.selectOptions(
      screen.getByLabelText('Login method'),
      'xoauth2',
    );
    // smtp.example.com says nothing about the provider: the user must choose.
    await add('OAuth2 provider');
    const provider = screen.getByLabelText('OAuth2 provider');
    expect(provider).toHaveValue('');
    expect(provider).not.toHaveAttribute('aria-invalid', 'true');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect(provider).toHaveAttribute('aria-invalid', 'true');
    expect(provider).toHaveAccessibleDescription(
      expect.stringMatching(
        /^OAuth2 provider must be one of: microsoft, google, refresh-token SMTP\.OAuth\.Provider microsoft: an Entra ID app registration/,
      ),
    );
  });

  it('takes a pasted PEM certificate with its line breaks and sends it intact', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderCard(api);

    await add('Trusted certificate authority');
    const ca = screen.getByLabelText('Trusted certificate authority');
    expect(ca.tagName).toBe('TEXTAREA');
    await userEvent.click(ca);
    await userEvent.paste(PEM_CERTIFICATE);
    await userEvent.tab();
    expect(ca).toHaveValue(PEM_CERTIFICATE);
    expect(ca).not.toHaveAttribute('aria-invalid', 'true');

    // Whom the password is sent to depends on the trusted authority, so it is asked for again.
    await userEvent.type(screen.getByLabelText(/^Password/), 'app-password');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    expect(api.updateRequests).toEqual([
      {
        values: {
          'SMTP.TLS.CA': PEM_CERTIFICATE,
          'SMTP.Password': 'app-password',
        },
      },
    ]);
  });

  it('takes a typed PEM private key over several lines, and keeps a stored one while blank', async () => {
    const google = customServerWith(
      stored('SMTP.AuthMethod', 'xoauth2'),
      stored('SMTP.OAuth.Provider', 'google'),
      stored('SMTP.OAuth.ServiceAccountEmail', 'mailer@project.example'),
      storedSecret('SMTP.OAuth.PrivateKey'),
    );
    const api = new FakeMailerApi(google);
    await renderCard(api);

    const key = screen.getByLabelText('Service account key');
    expect(key.tagName).toBe('TEXTAREA');
    expect(key).toHaveValue('');
    expect(key).toHaveAccessibleDescription(
      expect.stringMatching(
        /^Stored — leave blank to keep SMTP\.OAuth\.PrivateKey /,
      ),
    );
    // Keeping the stored key sends nothing for it.
    await add('Messages per minute');
    await userEvent.type(screen.getByLabelText('Messages per minute'), '30');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();

    // Typed line by line up to the body, whose thousand-odd characters are
    // pasted: typing each would take seconds on a busy machine.
    const [header, ...rest] = PEM_PRIVATE_KEY.split('\n');
    await userEvent.type(key, `${header}{Enter}`);
    await userEvent.click(key);
    await userEvent.paste(rest.join('\n'));
    expect(key).toHaveValue(PEM_PRIVATE_KEY);
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    expect(api.updateRequests).toEqual([
      { values: { 'SMTP.RateLimit': '30' } },
      { values: { 'SMTP.OAuth.PrivateKey': PEM_PRIVATE_KEY } },
    ]);
    // Never shown again once saved.
    expect(screen.getByLabelText('Service account key')).toHaveValue('');
  });
});
