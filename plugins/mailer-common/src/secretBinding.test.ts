import { findSecretsToReenter, StoredSettingsView } from './secretBinding';
import { SettingsChange } from './settingValidation';

const stored: StoredSettingsView = {
  values: new Map([
    ['SMTP.Server', 'smtp.example.com'],
    ['SMTP.Port', '587'],
    ['SMTP.Username', 'mailer@example.com'],
  ]),
  storedSecrets: new Set(['SMTP.Password']),
};

describe('findSecretsToReenter', () => {
  it.each([
    ['SMTP.Server', 'smtp.attacker.example'],
    ['SMTP.Port', '25'],
    ['SMTP.Username', 'other@example.com'],
    ['SMTP.Security', 'none'],
  ])(
    'asks for the password again when %s changes and the password is left blank',
    (key, value) => {
      for (const password of [undefined, '']) {
        const change =
          password === undefined
            ? { [key]: value }
            : { [key]: value, 'SMTP.Password': password };
        const [problem, ...rest] = findSecretsToReenter(change, stored);
        expect(rest).toEqual([]);
        expect(problem.key).toBe('SMTP.Password');
        expect(problem.message).toContain(
          `must be entered again for the new server (${key} changed)`,
        );
      }
    },
  );

  it('accepts a new password, a removed password, an unchanged value, removals and unrelated keys', () => {
    const accepted: SettingsChange[] = [
      { 'SMTP.Server': 'smtp2.example.com', 'SMTP.Password': 'new' },
      { 'SMTP.Server': 'smtp2.example.com', 'SMTP.Password': null },
      { 'SMTP.Server': 'smtp.example.com', 'SMTP.Password': '' },
      { 'SMTP.Server': null },
      { 'SMTP.From': 'news@example.com', 'SMTP.RateLimit': '30' },
    ];
    for (const change of accepted) {
      expect(findSecretsToReenter(change, stored)).toEqual([]);
    }
  });

  it('has nothing to protect while no password is stored', () => {
    expect(
      findSecretsToReenter(
        { 'SMTP.Server': 'smtp2.example.com' },
        { ...stored, storedSecrets: new Set() },
      ),
    ).toEqual([]);
  });
});
