import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Link, Route, Routes } from 'react-router-dom';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import {
  renderCard,
  renderWithMailerApi,
} from '../../__testUtils__/renderCard';
import { onlyServerSet } from '../../__testUtils__/settingsFixtures';
import { NotificationSettingsCard } from './NotificationSettingsCard';
import { LEAVE_QUESTION } from './useConfirmLeave';

async function add(label: string, value: string) {
  await userEvent.click(screen.getByRole('button', { name: 'Add' }));
  await userEvent.click(
    within(screen.getByRole('menu')).getByRole('menuitem', { name: label }),
  );
  await userEvent.clear(screen.getByLabelText(label));
  await userEvent.type(screen.getByLabelText(label), value);
}

/** Whether the page would ask before it is unloaded. */
function unloadIsQuestioned(): boolean {
  const event = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}

describe('unsaved changes', () => {
  afterEach(() => jest.restoreAllMocks());

  it('says where mail will go after saving, by the same rule as the backend', async () => {
    await renderCard(new FakeMailerApi(onlyServerSet));
    expect(screen.queryByText(/^After saving/)).not.toBeInTheDocument();

    await add('SMTP port', '587');
    await add('Username', 'ada@example.com');
    expect(screen.queryByText(/^After saving/)).not.toBeInTheDocument();
    expect(
      screen.getByText(
        'Your SMTP server is used once these are set too: Password (SMTP.Password).',
      ),
    ).toBeInTheDocument();

    await add('Password', 'app-password');
    expect(
      screen.getByText(
        'After saving, mail will go through your SMTP server as ada@example.com.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/Your SMTP server is used once/),
    ).not.toBeInTheDocument();
    await add('Sender address', 'news@example.com');
    expect(
      screen.getByText(
        'After saving, mail will go through your SMTP server as news@example.com.',
      ),
    ).toBeInTheDocument();
    // What mail does until then is unchanged.
    expect(
      screen.getByText(
        'Mail is sent from the default mailbox (portal@mail.elixeum.example).',
      ),
    ).toBeInTheDocument();
  });

  it('says mail will go from the default mailbox once a required key is removed', async () => {
    await renderCard(new FakeMailerApi(customServerSettings));
    await userEvent.click(
      screen.getByRole('button', { name: 'Remove Password' }),
    );
    expect(
      screen.getByText('After saving, mail will go from the default mailbox.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Your SMTP server is used once these are set too: Password (SMTP.Password).',
      ),
    ).toBeInTheDocument();
  });

  it('clears "Settings saved." as soon as the form changes', async () => {
    await renderCard(new FakeMailerApi(onlyServerSet));
    await add('Messages per minute', '30');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Messages per minute'), '0');
    expect(screen.queryByText('Settings saved.')).not.toBeInTheDocument();
  });

  it('asks before leaving unsaved edits, on a link in the portal and on unloading the page', async () => {
    const confirm = jest.spyOn(window, 'confirm').mockReturnValue(false);
    const api = new FakeMailerApi(customServerSettings);
    await renderWithMailerApi(
      <>
        <Link to="/catalog">Catalog</Link>
        <Routes>
          <Route path="/" element={<NotificationSettingsCard />} />
          <Route path="/catalog" element={<p>The catalog page</p>} />
        </Routes>
      </>,
      api,
    );
    await screen.findByRole('button', { name: 'Add' });

    // Nothing to lose yet: no question.
    expect(unloadIsQuestioned()).toBe(false);
    await userEvent.type(screen.getByLabelText('Username'), '.edited');
    expect(unloadIsQuestioned()).toBe(true);

    await userEvent.click(screen.getByRole('link', { name: 'Catalog' }));
    expect(confirm).toHaveBeenCalledWith(LEAVE_QUESTION);
    expect(screen.queryByText('The catalog page')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Username')).toHaveValue(
      'portal@example.com.edited',
    );

    confirm.mockReturnValue(true);
    await userEvent.click(screen.getByRole('link', { name: 'Catalog' }));
    expect(await screen.findByText('The catalog page')).toBeInTheDocument();
    // The card is gone, and with it the question.
    expect(unloadIsQuestioned()).toBe(false);
  });
});
