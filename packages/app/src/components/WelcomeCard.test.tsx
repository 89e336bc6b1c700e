import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { MailerApi, mailerApiRef } from '@elixeum/plugin-mailer';
import { act, screen } from '@testing-library/react';
import { WelcomeCard } from './WelcomeCard';

type Status = Awaited<ReturnType<MailerApi['getStatus']>>;

/** The part of the mailer API the card reads, with a way to announce a save. */
function mailerApi(status: () => Promise<Status>) {
  const listeners = new Set<() => void>();
  const api: Partial<MailerApi> = {
    getStatus: status,
    onSettingsChanged: listener => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { api, saved: () => listeners.forEach(l => l()) };
}

function render(api: Partial<MailerApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[mailerApiRef, api]]}>
      <WelcomeCard />
    </TestApiProvider>,
  );
}

describe('WelcomeCard', () => {
  it('says mail goes from the default mailbox until a server is saved, then through it', async () => {
    let status: Status = {
      server: 'default',
      missingKeys: ['SMTP.Server'],
      sender: 'no-reply@elixeum.cloud',
    };
    const { api, saved } = mailerApi(async () => status);
    await render(api);
    expect(
      await screen.findByText(
        /goes out from the default mailbox \(no-reply@elixeum\.cloud\) until you set up your own server/,
      ),
    ).toBeVisible();

    status = {
      server: 'custom',
      missingKeys: [],
      sender: 'portal@acme.example',
    };
    act(() => saved());
    expect(
      await screen.findByText(
        /goes out through your own server as portal@acme\.example/,
      ),
    ).toBeVisible();
    expect(
      screen.getByRole('link', { name: 'Email settings' }),
    ).toHaveAttribute('href', '/email-settings');
  });

  it('still says where the settings are to a user who may not read them', async () => {
    const { api } = mailerApi(async () => {
      throw new Error('Forbidden');
    });
    await render(api);
    expect(
      await screen.findByText(/How this portal sends email is set up in the/),
    ).toBeVisible();
  });
});
