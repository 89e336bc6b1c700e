import { ResponseError } from '@backstage/errors';
import { screen } from '@testing-library/react';
import { NotificationSettingsCard } from './NotificationSettingsCard';
import { renderWithMailerApi } from '../../__testUtils__/renderCard';
import { FakeMailerApi } from '../../__testUtils__/FakeMailerApi';
import { renderCard } from '../../__testUtils__/renderCard';
import {
  customServerWith,
  PEM_CERTIFICATE,
  stored,
} from '../../__testUtils__/settingsFixtures';

describe('ReadOnlySettingsCard', () => {
  it('shows the settings as a readable list without form wording, the password only as "set"', async () => {
    await renderCard(
      new FakeMailerApi(
        customServerWith(stored('SMTP.TLS.CA', PEM_CERTIFICATE)),
      ),
      { canManage: false },
    );

    expect(
      screen.getByText(
        'You can view these settings but not change them: that needs the permission to manage them (mailer.settings.manage).',
      ),
    ).toBeInTheDocument();
    const terms = screen.getAllByRole('term').map(t => t.textContent);
    const values = screen.getAllByRole('definition').map(d => d.textContent);
    expect(terms).toEqual([
      'SMTP server SMTP.Server',
      'SMTP port SMTP.Port',
      'Username SMTP.Username',
      'Password SMTP.Password',
      'Trusted certificate authority SMTP.TLS.CA',
    ]);
    expect(values).toEqual([
      'smtp.example.com',
      '587',
      'portal@example.com',
      'set',
      '1 certificate (PEM)',
    ]);
    // Nothing to type in, nothing greyed out, nothing about keeping a blank field.
    expect(screen.queryAllByRole('textbox')).toEqual([]);
    expect(screen.queryByText(/leave blank/i)).not.toBeInTheDocument();
    for (const name of [
      'Add',
      'Set up a server',
      'Save',
      'Test connection',
      /^Remove/,
    ]) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
  });

  it('names the permission when the server refuses to show the settings', async () => {
    const api = new FakeMailerApi(customServerWith());
    api.getSettings = async () => {
      throw await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: { name: 'NotAllowedError', message: 'Unauthorized' },
            response: { statusCode: 403 },
          }),
          { status: 403, headers: { 'Content-Type': 'application/json' } },
        ),
      );
    };
    await renderWithMailerApi(<NotificationSettingsCard />, api, {
      canManage: false,
    });
    expect(
      await screen.findByText(
        'You cannot see these settings: that needs the permission to read them (mailer.settings.read).',
      ),
    ).toBeVisible();
  });
});
