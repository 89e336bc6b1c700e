import { screen } from '@testing-library/react';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderWithMailerApi } from '../../__testUtils__/renderCard';
import { MissingKeyNotice } from './MissingKeyNotice';

describe('MissingKeyNotice', () => {
  it('names each secret and the key id the portal no longer has, and asks for the portal operator', async () => {
    const api = new FakeMailerApi({
      ...customServerSettings,
      status: {
        ...customServerSettings.status,
        secretsWithMissingKey: [{ key: 'SMTP.Password', keyId: '2025-01' }],
      },
    });
    await renderWithMailerApi(<MissingKeyNotice />, api);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Mail through your SMTP server is waiting');
    expect(alert).toHaveTextContent(
      'SMTP.Password (Password) was stored with encryption key "2025-01", which this portal no longer has.',
    );
    expect(alert).toHaveTextContent(
      'Ask your portal operator to add key "2025-01" back to mailer.encryption.keys, or enter it again.',
    );
  });

  it('shows nothing while every secret can be read', async () => {
    const api = new FakeMailerApi(customServerSettings);
    let asked = false;
    const getStatus = api.getStatus.bind(api);
    api.getStatus = async () => {
      asked = true;
      return getStatus();
    };
    await renderWithMailerApi(<MissingKeyNotice />, api);
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(asked).toBe(true);
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
