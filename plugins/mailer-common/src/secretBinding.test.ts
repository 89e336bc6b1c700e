import {
  findSecretsNoLongerUsed,
  findSecretsToReenter,
  StoredSettingsView,
} from './secretBinding';
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

describe('switching the login method with a stored secret', () => {
  const microsoftApp = {
    'SMTP.OAuth.Provider': 'microsoft',
    'SMTP.OAuth.TenantId': 'contoso.onmicrosoft.com',
    'SMTP.OAuth.ClientId': 'app-id',
  };
  const withOAuth: StoredSettingsView = {
    values: new Map([
      ...stored.values,
      ['SMTP.AuthMethod', 'xoauth2'],
      ...Object.entries(microsoftApp),
    ]),
    storedSecrets: new Set(['SMTP.OAuth.ClientSecret']),
  };

  it.each<[string, SettingsChange, StoredSettingsView, string[]]>([
    [
      'a password, when the login becomes xoauth2',
      {
        'SMTP.AuthMethod': 'xoauth2',
        ...microsoftApp,
        'SMTP.OAuth.ClientSecret': 'secret',
      },
      stored,
      ['SMTP.Password'],
    ],
    [
      'a password, when mail goes through Microsoft Graph',
      {
        'SMTP.Transport': 'microsoft-graph',
        'SMTP.OAuth.TenantId': 'contoso.onmicrosoft.com',
        'SMTP.OAuth.ClientId': 'app-id',
        'SMTP.OAuth.ClientSecret': 'secret',
      },
      stored,
      ['SMTP.Password'],
    ],
    [
      'a password, for a relay without login',
      { 'SMTP.AuthMethod': 'none' },
      stored,
      ['SMTP.Password'],
    ],
    [
      'a client secret, when the login goes back to a password',
      { 'SMTP.AuthMethod': null, 'SMTP.Password': 'new' },
      withOAuth,
      ['SMTP.OAuth.ClientSecret'],
    ],
  ])(
    'does not ask again for %s, and names it for removal',
    (_what, change, before, unused) => {
      expect(findSecretsToReenter(change, before)).toEqual([]);
      expect(findSecretsNoLongerUsed(change, before)).toEqual(unused);
    },
  );

  it('still asks for a secret the new settings use', () => {
    // Google's provider has no client secret; the refresh-token provider does.
    const problems = findSecretsToReenter(
      {
        'SMTP.OAuth.Provider': 'refresh-token',
        'SMTP.OAuth.TokenUrl': 'https://oauth2.googleapis.com/token',
      },
      withOAuth,
    );
    expect(problems.map(p => p.key)).toEqual(['SMTP.OAuth.ClientSecret']);
    expect(
      findSecretsNoLongerUsed({ 'SMTP.OAuth.Provider': 'google' }, withOAuth),
    ).toEqual(['SMTP.OAuth.ClientSecret']);
  });

  it('keeps secrets a change does not stop using', () => {
    const kept: SettingsChange[] = [
      { 'SMTP.Server': 'smtp2.example.com', 'SMTP.Password': 'new' },
      { 'SMTP.From': 'news@example.com' },
      { 'SMTP.Password': 'new' },
    ];
    for (const change of kept) {
      expect(findSecretsNoLongerUsed(change, stored)).toEqual([]);
    }
  });
});
