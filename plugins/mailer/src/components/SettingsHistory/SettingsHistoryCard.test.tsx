import { ResponseError } from '@backstage/errors';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderWithMailerApi } from '../../__testUtils__/renderCard';
import { NotificationSettingsCard } from '../NotificationSettingsCard';
import { SettingsHistoryCard } from './SettingsHistoryCard';
import { timeAgo } from './historyText';

const minutesAgo = (minutes: number) =>
  new Date(Date.now() - minutes * 60_000).toISOString();

describe('SettingsHistoryCard', () => {
  it('says who took which address off the suppression list, masked, and for what', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.settingsHistory = {
      entries: [
        {
          kind: 'suppression-removed',
          at: minutesAgo(1),
          actor: 'user:default/ada',
          address: 'b***@example.com',
          list: 'news',
          reason: 'unsubscribed',
        },
        {
          kind: 'suppression-removed',
          at: minutesAgo(2),
          actor: 'user:default/ada',
          address: 'g***@example.com',
          reason: 'hard-bounce',
        },
      ],
    };
    await renderWithMailerApi(<SettingsHistoryCard />, api);
    const list = await screen.findByRole('list', { name: 'Recent changes' });
    const [news, all] = within(list).getAllByRole('listitem');
    expect(news).toHaveTextContent(
      'Took b***@example.com off the suppression list (the list news, unsubscribed): the list news goes to it again',
    );
    expect(all).toHaveTextContent(
      'Took g***@example.com off the suppression list (all mail, bounced (address does not exist)): all mail goes to it again',
    );
  });

  it('lists who changed which keys, by key name and label, and who tested the connection, with how long ago', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.settingsHistory = {
      entries: [
        {
          kind: 'connection-test',
          at: minutesAgo(2),
          actor: 'user:default/grace',
          host: 'smtp.example.com',
          port: 587,
          outcome: 'authentication-failed',
          messageSent: false,
        },
        {
          kind: 'change',
          at: minutesAgo(5),
          actor: 'user:default/ada',
          added: ['SMTP.From'],
          changed: ['SMTP.Password', 'SMTP.Server'],
          removed: ['SMTP.FromName'],
        },
        {
          kind: 'connection-test',
          at: minutesAgo(3 * 24 * 60),
          actor: 'user:default/ada',
          host: 'smtp.example.com',
          port: 587,
          outcome: 'success',
          messageSent: true,
        },
      ],
    };
    await renderWithMailerApi(<SettingsHistoryCard />, api);

    const list = await screen.findByRole('list', { name: 'Recent changes' });
    const [test, change, sent] = within(list).getAllByRole('listitem');
    expect(test).toHaveTextContent(
      'Tested the connection to smtp.example.com:587: login refused',
    );
    expect(test).toHaveTextContent('grace · 2 minutes ago');
    expect(within(test).getByText('grace')).toHaveAttribute(
      'title',
      'user:default/grace',
    );

    expect(change).toHaveTextContent('Added SMTP.From (Sender address)');
    expect(change).toHaveTextContent(
      'Changed SMTP.Password (Password), SMTP.Server (SMTP server)',
    );
    expect(change).toHaveTextContent('Removed SMTP.FromName (Sender name)');
    expect(within(change).getByText('SMTP.Server').tagName).toBe('CODE');
    expect(change).toHaveTextContent('ada · 5 minutes ago');

    expect(sent).toHaveTextContent(
      'Tested the connection to smtp.example.com:587: succeeded, test message sent',
    );
    expect(sent).toHaveTextContent('ada · 3 days ago');
  });

  it('says when nothing has happened yet, and shows new lines on refresh', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderWithMailerApi(<SettingsHistoryCard />, api);
    expect(
      await screen.findByText('No changes or connection tests yet.'),
    ).toBeVisible();

    api.settingsHistory = {
      entries: [
        {
          kind: 'change',
          at: minutesAgo(0),
          actor: 'user:default/ada',
          added: [],
          changed: [],
          removed: ['SMTP.Port'],
        },
      ],
    };
    await userEvent.click(
      screen.getByRole('button', { name: 'Refresh recent changes' }),
    );
    const list = await screen.findByRole('list', { name: 'Recent changes' });
    expect(list).toHaveTextContent('Removed SMTP.Port (SMTP port)');
    expect(list).toHaveTextContent('ada · just now');
  });

  it('reloads after a save and after a connection test in the settings card, without Refresh', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderWithMailerApi(
      <>
        <NotificationSettingsCard />
        <SettingsHistoryCard />
      </>,
      api,
    );
    expect(
      await screen.findByText('No changes or connection tests yet.'),
    ).toBeVisible();
    const loadsBefore = api.settingsHistoryRequests;

    // What the backend records with the save, in its transaction.
    api.settingsHistory = {
      entries: [
        {
          kind: 'change',
          at: minutesAgo(0),
          actor: 'user:default/ada',
          added: [],
          changed: ['SMTP.Port'],
          removed: [],
        },
      ],
    };
    await userEvent.clear(await screen.findByLabelText('SMTP port'));
    await userEvent.type(screen.getByLabelText('SMTP port'), '2525');
    await userEvent.type(screen.getByLabelText(/^Password/), 'for-2525');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    const list = await screen.findByRole('list', { name: 'Recent changes' });
    expect(list).toHaveTextContent('Changed SMTP.Port (SMTP port)');
    expect(api.settingsHistoryRequests).toBe(loadsBefore + 1);

    api.settingsHistory = {
      entries: [
        {
          kind: 'connection-test',
          at: minutesAgo(0),
          actor: 'user:default/ada',
          host: 'smtp.example.com',
          port: 2525,
          outcome: 'success',
          messageSent: false,
        },
        ...api.settingsHistory.entries,
      ],
    };
    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection' }),
    );
    expect(
      await within(list).findByText(
        /Tested the connection to smtp\.example\.com:2525/,
      ),
    ).toBeVisible();
    expect(api.settingsHistoryRequests).toBe(loadsBefore + 2);
  });

  it('explains a refusal (403) instead of showing an error', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.settingsHistoryError = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message: 'Missing permission mailer.settings.read',
          },
          response: { statusCode: 403 },
        }),
        { status: 403, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    await renderWithMailerApi(<SettingsHistoryCard />, api);
    expect(
      await screen.findByText(/You cannot see who changed these settings/),
    ).toBeVisible();
    expect(screen.queryByRole('list')).toBeNull();
  });
});

describe('timeAgo', () => {
  const now = Date.parse('2026-12-05T12:00:00Z');
  it.each([
    ['2026-12-05T11:59:30Z', 'just now'],
    ['2026-12-05T11:59:00Z', '1 minute ago'],
    ['2026-12-05T09:00:00Z', '3 hours ago'],
    ['2026-12-04T11:00:00Z', 'yesterday'],
    ['2026-11-20T12:00:00Z', '2 weeks ago'],
    ['2026-06-05T12:00:00Z', '6 months ago'],
  ])('says %s was %s', (iso, text) => {
    expect(timeAgo(iso, now)).toBe(text);
  });

  it('wraps a long line of keys instead of cutting it', async () => {
    const api = new FakeMailerApi(customServerSettings);
    api.settingsHistory = {
      entries: [
        {
          kind: 'change',
          at: minutesAgo(1),
          actor: 'user:default/ada',
          added: [
            'SMTP.Password',
            'SMTP.Port',
            'SMTP.Security',
            'SMTP.Server',
            'SMTP.Username',
          ],
          changed: [],
          removed: [],
        },
      ],
    };
    await renderWithMailerApi(<SettingsHistoryCard />, api);
    const list = await screen.findByRole('list', { name: 'Recent changes' });
    const [line] = within(list).getAllByRole('listitem');
    const text = line.querySelector('.MuiListItemText-root')!;
    expect(text).toHaveTextContent(/SMTP\.Username \(Username\)/);
    const style = window.getComputedStyle(text);
    expect(style.whiteSpace).toBe('normal');
    expect(style.overflow).not.toBe('hidden');
  });
});
