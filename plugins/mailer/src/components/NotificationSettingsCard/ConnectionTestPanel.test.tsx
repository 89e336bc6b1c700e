import { screen, within } from '@testing-library/react';
import { ConnectionTestResult } from '@elixeum/plugin-mailer-common';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderCard } from '../../__testUtils__/renderCard';
import { onlyServerSet } from '../../__testUtils__/settingsFixtures';

describe('ConnectionTestPanel', () => {
  it('tests the edited settings and shows the outcome, advice and server reply', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.testResult = {
      outcome: 'authentication-failed',
      message: 'The server refused the username or password.',
      advice:
        'Check the password, or create an app password if the account uses MFA.',
      reply: {
        responseCode: 535,
        response: '5.7.3 Authentication unsuccessful',
      },
      messageSent: false,
      server: 'custom',
    };
    await renderCard(api);

    await userEvent.clear(screen.getByLabelText('SMTP port'));
    await userEvent.type(screen.getByLabelText('SMTP port'), '465');
    // A new port needs the password again before it can be tested.
    await userEvent.type(screen.getByLabelText(/^Password/), 'app-password');
    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection' }),
    );

    expect(
      await screen.findByText('The server refused the username or password.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Check the password, or create an app password if the account uses MFA.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('535 5.7.3 Authentication unsuccessful'),
    ).toBeInTheDocument();
    expect(api.testRequests).toEqual([
      { values: { 'SMTP.Port': '465', 'SMTP.Password': 'app-password' } },
    ]);
  });

  it('sends a test email to the address given', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.testResult = {
      outcome: 'success',
      message: 'The test message was accepted for me@example.com.',
      messageSent: true,
      server: 'custom',
    };
    await renderCard(api);

    const sendButton = screen.getByRole('button', { name: 'Send test email' });
    expect(sendButton).toBeDisabled();
    await userEvent.type(
      screen.getByLabelText('Test email address'),
      'me@example.com',
    );
    await userEvent.click(sendButton);

    expect(
      await screen.findByText(
        'The test message was accepted for me@example.com.',
      ),
    ).toBeInTheDocument();
    expect(api.testRequests).toEqual([
      { values: {}, sendTo: 'me@example.com' },
    ]);
  });

  it('says a reply code once, in words, and keeps the codes behind it under Details', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.testResult = {
      outcome: 'authentication-failed',
      message: 'The server refused the login.',
      advice: 'Check SMTP.Username and enter SMTP.Password again.',
      // As nodemailer reports it: the reply text starts with its code.
      reply: {
        responseCode: 535,
        response: '535 5.7.3 Authentication unsuccessful',
        code: 'EAUTH',
      } as ConnectionTestResult['reply'],
      messageSent: false,
      server: 'custom',
    };
    await renderCard(api);
    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection' }),
    );

    const result = await screen.findByRole('alert');
    expect(result).toHaveTextContent(
      'The server replied: 535 5.7.3 Authentication unsuccessful',
    );
    expect(result).toHaveTextContent('Tested through your SMTP server.');
    expect(result).not.toHaveTextContent('535 535');
    expect(result).not.toHaveTextContent('EAUTH');
    expect(result).not.toHaveTextContent('authentication-failed');

    const details = within(result).getByRole('button', { name: 'Details' });
    expect(details).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(details);
    expect(details).toHaveAttribute('aria-expanded', 'true');
    expect(result).toHaveTextContent('Error code: EAUTH');
    expect(result).toHaveTextContent('Outcome: authentication-failed');
    expect(result).toHaveTextContent('Reply code: 535');
  });

  it('says why a TLS connection failed and offers SMTP.TLS.CA as the way out', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.testResult = {
      outcome: 'tls-failure',
      tlsProblem: 'untrusted-certificate',
      message:
        'The certificate of smtp.example.com:587 is not signed by an authority the portal trusts.',
      advice:
        "If the server uses a certificate from your own (private) authority, paste that authority's certificate (PEM) into SMTP.TLS.CA, or ask your portal operator to trust it for every tenant in mailer.tls.extraCaCertificates.",
      messageSent: false,
      server: 'custom',
    };
    await renderCard(api);
    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection' }),
    );

    const result = await screen.findByRole('alert');
    expect(within(result).getByText('Certificate not trusted')).toHaveClass(
      'MuiAlertTitle-root',
    );
    expect(result).toHaveTextContent(
      'The certificate of smtp.example.com:587 is not signed by an authority the portal trusts.',
    );
    expect(result).toHaveTextContent(
      'ask your portal operator to trust it for every tenant in mailer.tls.extraCaCertificates',
    );
    expect(result).not.toHaveTextContent('untrusted-certificate');
    await userEvent.click(
      within(result).getByRole('button', { name: 'Add SMTP.TLS.CA' }),
    );
    const ca = screen.getByLabelText('Trusted certificate authority');
    expect(ca.tagName).toBe('TEXTAREA');
    // Once the key is in the form, there is nothing more to add.
    expect(
      within(result).queryByRole('button', { name: 'Add SMTP.TLS.CA' }),
    ).not.toBeInTheDocument();
  });

  it('tests and sends through the default mailbox while the settings are incomplete', async () => {
    const api = new FakeMailerApi(onlyServerSet);
    api.testResult = {
      outcome: 'success',
      message: 'The test message was accepted for me@example.com.',
      messageSent: true,
      server: 'default',
    };
    await renderCard(api);

    expect(
      screen.getByText(
        'Until your SMTP server is complete, the test goes through the default mailbox (portal@mail.elixeum.example).',
      ),
    ).toBeInTheDocument();
    await userEvent.type(
      screen.getByLabelText('Test email address'),
      'me@example.com',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Send test email' }),
    );

    const result = await screen.findByRole('alert');
    expect(result).toHaveTextContent(
      'The test message was accepted for me@example.com.',
    );
    expect(result).toHaveTextContent(
      'Tested through the default mailbox (portal@mail.elixeum.example).',
    );
    expect(api.testRequests).toEqual([
      { values: {}, sendTo: 'me@example.com' },
    ]);
  });

  it('clears "Settings saved." when a test runs', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderCard(api);
    await userEvent.clear(screen.getByLabelText('Username'));
    await userEvent.type(screen.getByLabelText('Username'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText(/^Password/), 'app-password');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection' }),
    );
    expect(
      await screen.findByText('Connected and signed in.'),
    ).toBeInTheDocument();
    expect(screen.queryByText('Settings saved.')).not.toBeInTheDocument();
  });

  it('shows a wrong test address only once the field is left, in a line kept free for it, at a width for a normal address', async () => {
    await renderCard(new FakeMailerApi(customServerSettings));
    const address = screen.getByLabelText('Test email address');
    const formControl = address.closest('.MuiFormControl-root');
    expect(formControl).toHaveStyle({ width: '34ch' });
    const helper = document.getElementById('mailer-test-recipient-helper-text');
    expect(helper).toBeInTheDocument();

    await userEvent.type(address, 'me@');
    expect(address).not.toHaveAttribute('aria-invalid', 'true');
    await userEvent.tab();
    expect(address).toHaveAttribute('aria-invalid', 'true');
    expect(address).toHaveAccessibleDescription(
      'Enter a mail address such as you@example.com',
    );
    // The same line holds the error: nothing below or beside it moves.
    expect(document.getElementById('mailer-test-recipient-helper-text')).toBe(
      helper,
    );
    expect(
      screen.getByRole('button', { name: 'Send test email' }),
    ).toBeDisabled();
  });
});
