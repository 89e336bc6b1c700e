import { screen } from '@testing-library/react';
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
      screen.getByText(/You can view these settings but not change them/),
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
    for (const name of ['Add', 'Save', 'Test connection', /^Remove/]) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
  });
});
