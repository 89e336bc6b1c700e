import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderCard } from '../../__testUtils__/renderCard';
import { customServerWith, stored } from '../../__testUtils__/settingsFixtures';

const WARNING = 'Certificate checks are off';

describe('CertificateCheckWarning', () => {
  it('warns as soon as certificate checks are switched off in the form, and stops when they are on again', async () => {
    await renderCard(new FakeMailerApi(customServerSettings));
    expect(screen.queryByText(WARNING)).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    await userEvent.click(
      within(screen.getByRole('menu')).getByRole('menuitem', {
        name: 'Verify the server certificate',
      }),
    );
    expect(screen.queryByText(WARNING)).not.toBeInTheDocument();

    const verify = screen.getByLabelText('Verify the server certificate');
    await userEvent.selectOptions(verify, 'false');
    const note = screen.getByRole('note');
    expect(note).toHaveTextContent(WARNING);
    expect(note).toHaveTextContent(
      'anyone on the network path to your SMTP server can pose as it and read the password and every message',
    );
    await userEvent.selectOptions(verify, 'true');
    expect(screen.queryByText(WARNING)).not.toBeInTheDocument();
  });

  it.each([
    ['may manage the settings', true],
    ['may only read them', false],
  ])(
    'warns while the stored setting is false, for someone who %s',
    async (_, canManage) => {
      await renderCard(
        new FakeMailerApi(
          customServerWith(stored('SMTP.TLS.RejectUnauthorized', 'false')),
        ),
        { canManage },
      );
      expect(screen.getByRole('note')).toHaveTextContent(WARNING);
    },
  );
});
