import { findSettingKey, settingKeyCatalog } from './settingKeys';
import { applicableKeys, findMissingRequiredKeys } from './settingRequirements';
import {
  findSettingsChangeProblems,
  validateSettingValue,
} from './settingValidation';

const port = findSettingKey('SMTP.Port')!;

const values = (entries: Record<string, string>) =>
  new Map(Object.entries(entries));

describe('the setting-key catalog', () => {
  it('requires a server and a password login by default, and keeps secrets secret', () => {
    expect(findMissingRequiredKeys(values({}))).toEqual([
      'SMTP.Server',
      'SMTP.Port',
      'SMTP.Username',
      'SMTP.Password',
    ]);
    expect(settingKeyCatalog.filter(d => d.secret).map(d => d.key)).toEqual([
      'SMTP.Password',
      'SMTP.OAuth.ClientSecret',
      'SMTP.OAuth.PrivateKey',
      'SMTP.OAuth.RefreshToken',
      'SMTP.DKIM.PrivateKey',
    ]);
    expect(port.defaultValue).toBe('587');
  });

  it('asks for a DKIM selector and key once, and only once, a signing domain is set', () => {
    const complete = {
      'SMTP.Server': 'smtp.example.com',
      'SMTP.Port': '587',
      'SMTP.Username': 'portal@example.com',
      'SMTP.Password': 'set',
    };
    expect(findMissingRequiredKeys(values(complete))).toEqual([]);
    expect(
      findMissingRequiredKeys(
        values({ ...complete, 'SMTP.DKIM.Domain': 'example.com' }),
      ),
    ).toEqual(['SMTP.DKIM.Selector', 'SMTP.DKIM.PrivateKey']);
  });

  it('lists the required keys still missing, in catalog order', () => {
    expect(
      findMissingRequiredKeys(
        values({ 'SMTP.Password': 'set', 'SMTP.Server': 'x' }),
      ),
    ).toEqual(['SMTP.Port', 'SMTP.Username']);
  });

  it.each([
    [
      'xoauth2 without a provider',
      { 'SMTP.AuthMethod': 'xoauth2' },
      ['SMTP.Server', 'SMTP.Port', 'SMTP.Username', 'SMTP.OAuth.Provider'],
    ],
    [
      'xoauth2 with Microsoft',
      { 'SMTP.AuthMethod': 'xoauth2', 'SMTP.OAuth.Provider': 'microsoft' },
      [
        'SMTP.Server',
        'SMTP.Port',
        'SMTP.Username',
        'SMTP.OAuth.TenantId',
        'SMTP.OAuth.ClientId',
        'SMTP.OAuth.ClientSecret',
      ],
    ],
    [
      'xoauth2 with a Google service account',
      { 'SMTP.AuthMethod': 'xoauth2', 'SMTP.OAuth.Provider': 'google' },
      [
        'SMTP.Server',
        'SMTP.Port',
        'SMTP.Username',
        'SMTP.OAuth.ServiceAccountEmail',
        'SMTP.OAuth.PrivateKey',
      ],
    ],
    [
      'xoauth2 with a refresh token',
      { 'SMTP.AuthMethod': 'xoauth2', 'SMTP.OAuth.Provider': 'refresh-token' },
      [
        'SMTP.Server',
        'SMTP.Port',
        'SMTP.Username',
        'SMTP.OAuth.ClientId',
        'SMTP.OAuth.ClientSecret',
        'SMTP.OAuth.TokenUrl',
        'SMTP.OAuth.RefreshToken',
      ],
    ],
    [
      'a relay without login',
      { 'SMTP.AuthMethod': 'none' },
      ['SMTP.Server', 'SMTP.Port'],
    ],
    [
      'Microsoft Graph',
      { 'SMTP.Transport': 'microsoft-graph' },
      [
        'SMTP.Username',
        'SMTP.OAuth.TenantId',
        'SMTP.OAuth.ClientId',
        'SMTP.OAuth.ClientSecret',
      ],
    ],
  ])('requires, for %s, exactly its keys', (_case, set, required) => {
    expect(findMissingRequiredKeys(values(set))).toEqual(required);
  });

  it("offers only the chosen provider's keys", () => {
    const offered = (set: Record<string, string>) =>
      applicableKeys(values(set))
        .map(d => d.key)
        .filter(k => k.startsWith('SMTP.OAuth.'));
    expect(offered({})).toEqual([]);
    expect(
      offered({
        'SMTP.AuthMethod': 'xoauth2',
        'SMTP.OAuth.Provider': 'google',
      }),
    ).toEqual([
      'SMTP.OAuth.Provider',
      'SMTP.OAuth.ServiceAccountEmail',
      'SMTP.OAuth.PrivateKey',
    ]);
  });
});

describe('validateSettingValue', () => {
  it.each(['1', '25', '587', '65535'])('accepts port %s', value =>
    expect(validateSettingValue(port, value)).toBeUndefined(),
  );
  it.each(['0', '65536', '-1', '587.0', ' 587', '0x24B', ''])(
    'refuses port %j',
    value => expect(validateSettingValue(port, value)).toBeDefined(),
  );
});

describe('control characters', () => {
  it.each(['SMTP.Username', 'SMTP.Password', 'SMTP.From'])(
    'refuses a NUL in %s, which would split an AUTH PLAIN login',
    key => {
      expect(
        validateSettingValue(findSettingKey(key)!, 'ada\u0000admin'),
      ).toMatch(/control characters|mail address/);
    },
  );
});

describe('findSettingsChangeProblems', () => {
  it('names each bad key, and accepts removals and a blank secret', () => {
    expect(
      findSettingsChangeProblems({
        'SMTP.Server': 'smtp.example.com',
        'SMTP.Port': '99999',
        'SMTP.Password': '',
        'SMTP.Username': null,
        'SMTP.Unknown': 'x',
      }),
    ).toEqual([
      { key: 'SMTP.Port', message: 'must be a whole number from 1 to 65535' },
      { key: 'SMTP.Unknown', message: 'is not a known setting' },
    ]);
  });

  it('refuses a blank value for a key that is not secret', () => {
    expect(findSettingsChangeProblems({ 'SMTP.Username': '' })).toEqual([
      { key: 'SMTP.Username', message: 'must not be empty' },
    ]);
  });
});
