import { NotificationSettingsResponse } from '@elixeum/plugin-mailer-common';
import { customServerSettings } from '../../__testUtils__/FakeMailerApi';
import {
  onlyServerSet,
  stored,
  storedSecret,
} from '../../__testUtils__/settingsFixtures';
import { formFields, initialFormValues } from './settingsForm';
import { knownDefaultSender, previewStatus } from './statusPreview';

const preview = (
  saved: NotificationSettingsResponse,
  edit: (values: Record<string, string>) => Record<string, string>,
) =>
  previewStatus(
    formFields(edit(initialFormValues(saved.settings)), saved.settings),
    saved,
  );

describe('statusPreview', () => {
  it('knows the default sender when the saved status uses it, and not when the tenant sends as itself', () => {
    expect(knownDefaultSender(onlyServerSet)).toBe(
      'portal@mail.elixeum.example',
    );
    expect(knownDefaultSender(customServerSettings)).toBeUndefined();
    // A username that is no mail address: the custom server sends as the default sender.
    const plainUser: NotificationSettingsResponse = {
      settings: [
        stored('SMTP.Server', 'smtp.example.com'),
        stored('SMTP.Port', '587'),
        stored('SMTP.Username', 'portal'),
        storedSecret('SMTP.Password'),
      ],
      status: {
        server: 'custom',
        missingKeys: [],
        sender: 'portal@mail.elixeum.example',
      },
    };
    expect(knownDefaultSender(plainUser)).toBe('portal@mail.elixeum.example');
  });

  it('counts a kept secret as set, and one that must be typed again as missing', () => {
    expect(preview(customServerSettings, v => v)).toEqual(
      customServerSettings.status,
    );
    expect(
      preview(customServerSettings, v => ({
        ...v,
        'SMTP.Server': 'smtp.other.example',
      })),
    ).toEqual({
      server: 'default',
      missingKeys: ['SMTP.Password'],
      sender: '',
    });
  });
});
