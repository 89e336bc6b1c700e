import {
  findMissingRequiredKeys,
  findSettingKey,
  settingKeyCatalog,
} from './settingKeys';
import {
  findSettingsChangeProblems,
  validateSettingValue,
} from './settingValidation';

const port = findSettingKey('SMTP.Port')!;

describe('the setting-key catalog', () => {
  it('requires the four SMTP keys and keeps only the password secret', () => {
    expect(settingKeyCatalog.filter(d => d.required).map(d => d.key)).toEqual([
      'SMTP.Server',
      'SMTP.Port',
      'SMTP.Username',
      'SMTP.Password',
    ]);
    expect(settingKeyCatalog.filter(d => d.secret).map(d => d.key)).toEqual([
      'SMTP.Password',
    ]);
    expect(port.defaultValue).toBe('587');
  });

  it('lists the required keys still missing, in catalog order', () => {
    expect(findMissingRequiredKeys(['SMTP.Password', 'SMTP.Server'])).toEqual([
      'SMTP.Port',
      'SMTP.Username',
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
