import { ResponseError } from '@backstage/errors';
import {
  NotificationSettingsResponse,
  SettingView,
} from '@elixeum/plugin-mailer-common';
import { customServerSettings } from './FakeMailerApi';

/** A stored, non-secret setting. */
export const stored = (key: string, value: string): SettingView => ({
  key,
  value,
  set: true,
  secret: false,
});

/** A stored secret: the server only says that it is set. */
export const storedSecret = (key: string): SettingView => ({
  key,
  set: true,
  secret: true,
});

/** The complete custom server of customServerSettings, with more settings. */
export function customServerWith(
  ...settings: SettingView[]
): NotificationSettingsResponse {
  return {
    ...customServerSettings,
    settings: [...customServerSettings.settings, ...settings],
  };
}

/** Only SMTP.Server is set: mail goes from the default mailbox. */
export const onlyServerSet: NotificationSettingsResponse = {
  settings: [stored('SMTP.Server', 'smtp.example.com')],
  status: {
    server: 'default',
    missingKeys: ['SMTP.Port', 'SMTP.Username', 'SMTP.Password'],
    sender: 'portal@mail.elixeum.example',
  },
};

/**
 * A 400 answer with the standard Backstage error body, as MailerClient
 * throws it; `key` is the setting the body names, as the server policy's do.
 */
export async function badRequest(
  message: string,
  key?: string,
): Promise<ResponseError> {
  const body = {
    error: { name: 'InputError', message, ...(key && { key }) },
    response: { statusCode: 400 },
  };
  return ResponseError.fromResponse(
    new Response(JSON.stringify(body), {
      status: 400,
      statusText: 'Bad Request',
      headers: { 'Content-Type': 'application/json' },
    }),
  );
}

/** A PEM certificate as people paste it: shape only, enough for the card's check. */
export const PEM_CERTIFICATE = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBszCCAVmgAwIBAgIUQm9ndXNDZXJ0aWZpY2F0ZUZvclRlc3RzMAoGCCqGSM49',
  'BAMCMBQxEjAQBgNVBAMMCWxvY2FsaG9zdDAeFw0yNjAxMDEwMDAwMDBaFw0yNzAx',
  '-----END CERTIFICATE-----',
  '',
].join('\n');

/** A PEM private key as people paste it: shape only. */
export const PEM_PRIVATE_KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVGhpc0lzTm90QVJl',
  'YWxLZXlKdXN0QVRlc3RWYWx1ZQ==',
  '-----END PRIVATE KEY-----',
].join('\n');
