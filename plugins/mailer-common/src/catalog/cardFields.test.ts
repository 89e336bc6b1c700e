import { findSettingKey } from '../settingKeys';
import { settingInputKind, suggestedValueOf } from './cardFields';

const key = (name: string) => findSettingKey(name)!;
const suggestion = (name: string, values: Record<string, string> = {}) =>
  suggestedValueOf(key(name), new Map(Object.entries(values)));

describe('card fields', () => {
  it('enters PEM over several lines, choices from their list, the rest on one line', () => {
    expect(settingInputKind(key('SMTP.TLS.CA'))).toBe('multiline');
    expect(settingInputKind(key('SMTP.OAuth.PrivateKey'))).toBe('multiline');
    expect(settingInputKind(key('SMTP.Security'))).toBe('choice');
    expect(settingInputKind(key('SMTP.Password'))).toBe('line');
    expect(settingInputKind(key('SMTP.Server'))).toBe('line');
  });

  it('suggests the security that fits the port, as the backend defaults to', () => {
    expect(suggestion('SMTP.Security')).toBe('starttls');
    expect(suggestion('SMTP.Security', { 'SMTP.Port': '587' })).toBe(
      'starttls',
    );
    expect(suggestion('SMTP.Security', { 'SMTP.Port': '465' })).toBe('tls');
  });

  it('suggests a value for every choice except a provider the server does not reveal', () => {
    expect(suggestion('SMTP.AuthMethod')).toBe('login');
    expect(suggestion('SMTP.Transport')).toBe('smtp');
    expect(suggestion('SMTP.TLS.RejectUnauthorized')).toBe('true');
    expect(
      suggestion('SMTP.OAuth.Provider', {
        'SMTP.Server': 'smtp.office365.com',
      }),
    ).toBe('microsoft');
    expect(
      suggestion('SMTP.OAuth.Provider', { 'SMTP.Server': 'smtp.gmail.com' }),
    ).toBe('google');
    expect(
      suggestion('SMTP.OAuth.Provider', { 'SMTP.Server': 'mail.example.com' }),
    ).toBeUndefined();
    expect(suggestion('SMTP.Port')).toBe('587');
  });
});
