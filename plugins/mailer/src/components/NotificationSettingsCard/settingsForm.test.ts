import { SettingView } from '@elixeum/plugin-mailer-common';
import {
  addableKeys,
  addedFieldValue,
  FormValues,
  fatesOnSave,
  formFields,
  initialFormValues,
  settingsChange,
} from './settingsForm';

const stored: SettingView[] = [
  { key: 'SMTP.Server', value: 'smtp.example.com', set: true, secret: false },
  { key: 'SMTP.Password', set: true, secret: true },
];

describe('settingsForm', () => {
  it('sends nothing for an untouched form', () => {
    expect(settingsChange(initialFormValues(stored), stored)).toEqual({});
  });

  it('sends nothing when a removed key is added back', () => {
    const { 'SMTP.Server': _removed, ...values } = initialFormValues(stored);
    const readded = {
      ...values,
      'SMTP.Server': addedFieldValue('SMTP.Server', stored),
    };
    expect(settingsChange(readded, stored)).toEqual({});
  });

  it('sends a typed password, and asks for one when none is stored', () => {
    const typed = { ...initialFormValues(stored), 'SMTP.Password': 'hunter2' };
    expect(settingsChange(typed, stored)).toEqual({
      'SMTP.Password': 'hunter2',
    });
    const [password] = formFields({ 'SMTP.Password': '' }, []);
    expect(password.problem).toBe('Password must not be empty');
  });

  it('asks for the stored password again once a key it is bound to changes', () => {
    const edited: FormValues = {
      ...initialFormValues(stored),
      'SMTP.Server': 'smtp.other.example',
    };
    const password = formFields(edited, stored).find(
      f => f.definition.key === 'SMTP.Password',
    )!;
    expect(password.mustReenter).toBe(true);
    expect(password.problem).toContain('Enter the password again');

    const typed = formFields({ ...edited, 'SMTP.Password': 'new' }, stored);
    expect(typed.every(f => !f.mustReenter && !f.problem)).toBe(true);
    // Removing the password instead takes nothing to the new server.
    const { 'SMTP.Password': _removed, ...withoutPassword } = edited;
    expect(formFields(withoutPassword, stored).every(f => !f.problem)).toBe(
      true,
    );
  });

  it("offers exactly the chosen OAuth2 provider's keys in Add", () => {
    const oauthKeys = (values: FormValues) =>
      addableKeys(values)
        .map(d => d.key)
        .filter(key => key.startsWith('SMTP.OAuth.'));
    const xoauth2 = {
      'SMTP.Server': 'smtp.office365.com',
      'SMTP.AuthMethod': 'xoauth2',
    };
    expect(oauthKeys({ 'SMTP.Server': 'smtp.example.com' })).toEqual([]);
    expect(oauthKeys(xoauth2)).toEqual(['SMTP.OAuth.Provider']);
    expect(
      oauthKeys({ ...xoauth2, 'SMTP.OAuth.Provider': 'microsoft' }),
    ).toEqual([
      'SMTP.OAuth.TenantId',
      'SMTP.OAuth.ClientId',
      'SMTP.OAuth.ClientSecret',
    ]);
    expect(oauthKeys({ ...xoauth2, 'SMTP.OAuth.Provider': 'google' })).toEqual([
      'SMTP.OAuth.ServiceAccountEmail',
      'SMTP.OAuth.PrivateKey',
    ]);
    expect(
      oauthKeys({ ...xoauth2, 'SMTP.OAuth.Provider': 'refresh-token' }),
    ).toEqual([
      'SMTP.OAuth.ClientId',
      'SMTP.OAuth.ClientSecret',
      'SMTP.OAuth.TokenUrl',
      'SMTP.OAuth.RefreshToken',
    ]);
  });

  it('marks a stored secret the edited settings no longer use as removed on save, not to be entered again', () => {
    const toGraph: FormValues = {
      ...initialFormValues(stored),
      'SMTP.Transport': 'microsoft-graph',
    };
    const password = formFields(toGraph, stored).find(
      f => f.definition.key === 'SMTP.Password',
    )!;
    expect(password.removedOnSave).toBe(true);
    expect(password.mustReenter).toBe(false);
    expect(password.problem).toBeUndefined();
    expect(
      fatesOnSave(settingsChange(toGraph, stored), ['SMTP.Password']),
    ).toEqual({ 'SMTP.Transport': 'replaced', 'SMTP.Password': 'removed' });

    // A password typed anyway is the user's to send, so nothing is removed.
    const typed = formFields({ ...toGraph, 'SMTP.Password': 'new' }, stored);
    expect(typed.some(f => f.removedOnSave)).toBe(false);
  });
});
