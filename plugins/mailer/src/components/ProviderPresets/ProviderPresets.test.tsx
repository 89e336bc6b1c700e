import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  customServerSettings,
  FakeMailerApi,
} from '../../__testUtils__/FakeMailerApi';
import { renderCard } from '../../__testUtils__/renderCard';
import { badRequest } from '../../__testUtils__/settingsFixtures';

const noSettings = {
  settings: [],
  status: {
    server: 'default' as const,
    missingKeys: ['SMTP.Server'],
    sender: 'portal@mail.elixeum.example',
  },
};

const mailCatcherConfig = {
  mailer: {
    docsUrl: 'https://docs.example.com/mailer/',
    presets: [
      {
        id: 'example-mail-catcher',
        title: 'Example mail catcher',
        description: "The example backend's own SMTP server on loopback.",
        settings: [
          { key: 'SMTP.Server', value: '127.0.0.1' },
          { key: 'SMTP.Port', value: '2525' },
          { key: 'SMTP.Security', value: 'none' },
          { key: 'SMTP.AuthMethod', value: 'none' },
        ],
      },
      {
        id: 'broken',
        title: 'Broken relay',
        settings: [{ key: 'SMTP.Port', value: 'smtp' }],
      },
    ],
  },
};

async function choose(title: string) {
  await userEvent.click(
    screen.getByRole('button', { name: 'Set up a server' }),
  );
  await userEvent.click(
    within(screen.getByRole('menu')).getByRole('menuitem', {
      name: new RegExp(`^${title}`),
    }),
  );
  return screen.findByRole('dialog');
}

describe('Set up a server', () => {
  it('offers every provider, then the portal’s own presets; one the catalog refuses is shown, not offered', async () => {
    await renderCard(new FakeMailerApi(noSettings), {
      config: mailCatcherConfig,
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Set up a server' }),
    );
    const items = within(screen.getByRole('menu')).getAllByRole('menuitem');
    expect(items.map(i => i.querySelector('span')?.textContent)).toEqual([
      'Office 365 (OAuth2 SMTP)',
      'Office 365 (Microsoft Graph)',
      'Google Workspace',
      'Amazon SES (SMTP)',
      'SendGrid',
      'Mailgun',
      'Mailjet',
      'Other SMTP server',
      'Example mail catcher',
      'Broken relay',
    ]);
    expect(items[9]).toHaveAttribute('aria-disabled', 'true');
    expect(items[9]).toHaveTextContent(
      'Not offered: SMTP.Port must be a whole number from 1 to 65535',
    );
  });

  it('fills in Office 365 and asks only for the tenant’s own values, linking to its setup steps', async () => {
    const api = new FakeMailerApi(noSettings);
    await renderCard(api, { config: mailCatcherConfig });
    const dialog = await choose('Office 365 \\(OAuth2');

    expect(
      within(dialog).getByRole('link', {
        name: /Setup steps for Office 365/,
      }),
    ).toHaveAttribute(
      'href',
      'https://docs.example.com/mailer/providers.md#office-365',
    );
    const filledIn = within(dialog).getByRole('table', {
      name: 'Filled in for you',
    });
    for (const text of [
      'smtp.office365.com',
      '587',
      'starttls',
      'xoauth2',
      'microsoft',
    ]) {
      expect(within(filledIn).getByText(text)).toBeInTheDocument();
    }
    const fields = within(dialog)
      .getAllByRole('textbox')
      .map(field => field.id);
    expect(fields).toEqual([
      'mailer-preset-SMTP.Username',
      'mailer-preset-SMTP.OAuth.TenantId',
      'mailer-preset-SMTP.OAuth.ClientId',
    ]);
    expect(within(dialog).getByLabelText('Client secret')).toHaveAttribute(
      'type',
      'password',
    );
  });

  it('checks the fields as the card does and saves nothing while one is wrong', async () => {
    const api = new FakeMailerApi(noSettings);
    await renderCard(api);
    const dialog = await choose('Amazon SES');
    await userEvent.type(within(dialog).getByLabelText('AWS region'), 'Paris');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));

    expect(
      within(dialog).getByText('AWS region must look like eu-west-1'),
    ).toBeVisible();
    expect(
      within(dialog).getByText('Username must not be empty'),
    ).toBeVisible();
    expect(api.updateRequests).toEqual([]);
  });

  it('saves the provider in one request that replaces the previous server’s keys, and shows it in the card', async () => {
    const api = new FakeMailerApi(customServerSettings);
    await renderCard(api);
    const dialog = await choose('SendGrid');
    await userEvent.type(within(dialog).getByLabelText('Password'), 'SG.key');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));

    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.updateRequests).toEqual([
      {
        values: {
          'SMTP.Transport': 'smtp',
          'SMTP.Server': 'smtp.sendgrid.net',
          'SMTP.Port': '587',
          'SMTP.Security': 'starttls',
          'SMTP.AuthMethod': 'login',
          'SMTP.Username': 'apikey',
          'SMTP.Password': 'SG.key',
        },
      },
    ]);
    expect(screen.getByLabelText('SMTP server')).toHaveValue(
      'smtp.sendgrid.net',
    );
    expect(screen.getByLabelText('Username')).toHaveValue('apikey');
    expect(
      screen.getByText(
        'SendGrid saved. Test the connection below to check it.',
      ),
    ).toBeVisible();
  });

  it('saves the example mail catcher from config with nothing to type', async () => {
    const api = new FakeMailerApi(noSettings);
    await renderCard(api, { config: mailCatcherConfig });
    const dialog = await choose('Example mail catcher');
    expect(within(dialog).queryAllByRole('textbox')).toEqual([]);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(api.updateRequests).toHaveLength(1));
    expect(api.updateRequests[0].values).toEqual({
      'SMTP.Server': '127.0.0.1',
      'SMTP.Port': '2525',
      'SMTP.Security': 'none',
      'SMTP.AuthMethod': 'none',
    });
    expect(await screen.findByLabelText('Connection security')).toHaveValue(
      'none',
    );
  });

  it('marks the field a refusal names, under the field, and keeps the dialog open', async () => {
    const api = new FakeMailerApi(noSettings);
    api.updateError = await badRequest(
      'SMTP.Server smtp.internal is not allowed by the portal’s server policy',
    );
    await renderCard(api);
    const dialog = await choose('Other SMTP server');
    await userEvent.type(
      within(dialog).getByLabelText('SMTP server'),
      'smtp.internal',
    );
    await userEvent.type(within(dialog).getByLabelText('Username'), 'me');
    await userEvent.type(within(dialog).getByLabelText('Password'), 'pw');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));

    const server = within(dialog).getByLabelText('SMTP server');
    await waitFor(() => expect(server).toHaveAttribute('aria-invalid', 'true'));
    expect(server).toHaveAccessibleDescription(
      /^SMTP.Server smtp.internal is not allowed by the portal’s server policy/,
    );
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('marks the field of the key the error body names, e.g. the AWS region for a refused SES server', async () => {
    const api = new FakeMailerApi(noSettings);
    api.updateError = await badRequest(
      'SMTP.Server email-smtp.eu-west-1.amazonaws.com is not allowed by the portal’s server policy',
      'SMTP.Server',
    );
    await renderCard(api);
    const dialog = await choose('Amazon SES');
    await userEvent.type(
      within(dialog).getByLabelText('AWS region'),
      'eu-west-1',
    );
    await userEvent.type(within(dialog).getByLabelText('Username'), 'AKIA');
    await userEvent.type(within(dialog).getByLabelText('Password'), 'pw');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));

    const region = within(dialog).getByLabelText('AWS region');
    await waitFor(() => expect(region).toHaveAttribute('aria-invalid', 'true'));
    expect(region).toHaveAccessibleDescription(
      /^SMTP.Server email-smtp.eu-west-1.amazonaws.com is not allowed/,
    );
    expect(api.updateRequests[0].values['SMTP.Server']).toBe(
      'email-smtp.eu-west-1.amazonaws.com',
    );
  });

  it('waits while the card has unsaved edits', async () => {
    await renderCard(new FakeMailerApi(customServerSettings));
    await userEvent.type(screen.getByLabelText('SMTP server'), 'x');
    expect(
      screen.getByRole('button', { name: 'Set up a server' }),
    ).toBeDisabled();
  });
});
