import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderCard } from '../../__testUtils__/renderCard';

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
});
