import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderCard } from '../../__testUtils__/renderCard';

async function add(label: string) {
  await userEvent.click(screen.getByRole('button', { name: 'Add' }));
  await userEvent.click(
    within(screen.getByRole('menu')).getByRole('menuitem', { name: label }),
  );
}

describe('SecretsRemovedOnSave', () => {
  it('says before saving that the stored password goes with a switch to xoauth2, and does not ask for it', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderCard(api);
    expect(screen.queryByText(/^Saving removes/)).not.toBeInTheDocument();

    await add('Login method');
    await userEvent.selectOptions(
      screen.getByLabelText('Login method'),
      'xoauth2',
    );

    const note = screen.getByRole('note');
    expect(note).toHaveTextContent(
      'Saving removes the stored SMTP.Password: the new login method does not use it.',
    );
    expect(note).toHaveTextContent('Switching back later asks for it again.');
    const password = screen.getByLabelText('Password');
    expect(password).not.toBeRequired();
    expect(password).not.toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveAccessibleDescription(
      expect.stringMatching(
        /^Stored — removed when you save: the new login method does not use it SMTP\.Password /,
      ),
    );

    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    // The server removes the password itself; the card sends no removal for it.
    expect(api.updateRequests).toEqual([
      { values: { 'SMTP.AuthMethod': 'xoauth2' } },
    ]);
    expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
    expect(screen.queryByRole('note')).not.toBeInTheDocument();

    // Back to a password login: the removed password is missing, not kept.
    await userEvent.selectOptions(
      screen.getByLabelText('Login method'),
      'login',
    );
    expect(
      screen.getByText(/^Your SMTP server is used once these are set too:/),
    ).toHaveTextContent('Password (SMTP.Password)');
  });

  it('says nothing once the user types a new password or removes the field', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderCard(api);
    await add('Login method');
    await userEvent.selectOptions(
      screen.getByLabelText('Login method'),
      'xoauth2',
    );
    expect(screen.getByRole('note')).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Remove Password' }),
    );
    expect(screen.queryByRole('note')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    expect(api.updateRequests).toEqual([
      { values: { 'SMTP.AuthMethod': 'xoauth2', 'SMTP.Password': null } },
    ]);
  });
});
