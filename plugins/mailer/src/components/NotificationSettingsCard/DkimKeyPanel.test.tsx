import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderCard } from '../../__testUtils__/renderCard';

function panel() {
  return screen.getByRole('region', { name: 'DKIM key' });
}

describe('the DKIM key in the card', () => {
  it('generates a key in the backend and shows the TXT record to publish, in 255-character strings too', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderCard(api);
    expect(
      await within(panel()).findByText(/The portal does not sign your mail/),
    ).toBeInTheDocument();

    await userEvent.click(
      within(panel()).getByRole('button', { name: 'Generate key' }),
    );
    const record = await within(panel()).findByLabelText('DKIM record');
    expect(api.dkimKeyRequests).toEqual([{}]);
    const key = api.dkimKey!;
    expect(panel()).toHaveTextContent(`Publish this TXT record at ${key.name}`);
    expect(record).toHaveTextContent(key.value);
    const strings = within(panel()).getByLabelText('DKIM record strings');
    expect(strings.textContent).toBe(`"${key.strings[0]}" "${key.strings[1]}"`);
    expect(key.strings[0]).toHaveLength(255);
    // The form starts again from the settings the key was stored with.
    expect(await screen.findByDisplayValue(key.selector)).toBeInTheDocument();
  });

  it('asks before replacing a key, and cannot generate over unsaved edits', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await api.generateDkimKey({ selector: 'old' });
    await renderCard(api);
    await within(panel()).findByLabelText('DKIM record');

    await userEvent.click(
      within(panel()).getByRole('button', { name: 'Generate a new key' }),
    );
    expect(panel()).toHaveTextContent(
      'A new key gets a new selector, and mail is signed with it at once',
    );
    await userEvent.click(
      within(panel()).getByRole('button', { name: 'Cancel' }),
    );
    expect(api.dkimKeyRequests).toEqual([{ selector: 'old' }]);

    await userEvent.type(
      screen.getByRole('textbox', { name: /SMTP server/ }),
      '.x',
    );
    expect(
      within(panel()).getByRole('button', { name: 'Generate a new key' }),
    ).toBeDisabled();
    expect(panel()).toHaveTextContent('Save your changes first.');
  });

  it('shows the record, without the button, to readers who may not manage the settings', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await api.generateDkimKey({});
    await renderCard(api, { canManage: false });
    await within(panel()).findByLabelText('DKIM record');
    await waitFor(() =>
      expect(within(panel()).queryByRole('button')).not.toBeInTheDocument(),
    );
  });
});
