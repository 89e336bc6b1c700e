import { SMTP_KEYS } from './catalog/keys';
import {
  findPresetProblem,
  presetAnswerProblem,
  presetChange,
  presetQuestionsThatApply,
  presetSettings,
  PROVIDER_PRESETS,
  ProviderPreset,
} from './providerPresets';
import { findMissingRequiredKeys, keyApplies } from './settingRequirements';
import { findSettingKey } from './settingKeys';
import { findSettingsChangeProblems } from './settingValidation';

const preset = (id: string) => PROVIDER_PRESETS.find(p => p.id === id)!;

/** Answers a tenant could really type, by key. */
const sampleAnswers: Record<string, string> = {
  [SMTP_KEYS.server]: 'mail.example.com',
  [SMTP_KEYS.username]: 'no-reply@example.com',
  [SMTP_KEYS.password]: 'a password',
  [SMTP_KEYS.oauthTenantId]: 'contoso.onmicrosoft.com',
  [SMTP_KEYS.oauthClientId]: '00000000-0000-0000-0000-000000000001',
  [SMTP_KEYS.oauthClientSecret]: 'a client secret',
  [SMTP_KEYS.oauthServiceAccountEmail]:
    'mailer@project.iam.gserviceaccount.com',
  [SMTP_KEYS.oauthPrivateKey]:
    '-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----',
};

function answersFor(p: ProviderPreset): Record<string, string> {
  return Object.fromEntries(
    p.questions.map(q => [
      q.key,
      q.template
        ? q.template.example
        : (sampleAnswers[q.key] ?? q.initialValue!),
    ]),
  );
}

describe('provider presets', () => {
  it('offer every provider the card promises, each with its docs section', () => {
    expect(PROVIDER_PRESETS.map(p => p.docsAnchor)).toEqual([
      'office-365',
      'microsoft-graph',
      'google-workspace',
      'amazon-ses',
      'sendgrid',
      'mailgun',
      'mailjet',
      'other-smtp-server',
    ]);
  });

  it.each(PROVIDER_PRESETS.map(p => [p.id, p] as const))(
    '%s only uses keys of the catalog, with values its rules accept',
    (_id, p) => {
      expect(findPresetProblem(p)).toBeUndefined();
      for (const key of [
        ...Object.keys(p.values),
        ...p.questions.map(q => q.key),
      ]) {
        expect(findSettingKey(key)).toBeDefined();
      }
      expect(findSettingsChangeProblems(p.values)).toEqual([]);
    },
  );

  it.each(PROVIDER_PRESETS.map(p => [p.id, p] as const))(
    '%s, once answered, is complete: every key applies and nothing required is missing',
    (_id, p) => {
      const answers = answersFor(p);
      for (const q of p.questions) {
        expect(presetAnswerProblem(q, answers[q.key])).toBeUndefined();
      }
      const settings = presetSettings(p, answers);
      expect(findSettingsChangeProblems(settings)).toEqual([]);
      const values = new Map(Object.entries(settings));
      expect(findMissingRequiredKeys(values)).toEqual([]);
      for (const key of Object.keys(settings)) {
        expect([key, keyApplies(findSettingKey(key)!, values)]).toEqual([
          key,
          true,
        ]);
      }
    },
  );

  it("fill in the providers' real servers and login methods", () => {
    expect(presetSettings(preset('office-365'), {})).toMatchObject({
      'SMTP.Server': 'smtp.office365.com',
      'SMTP.Port': '587',
      'SMTP.Security': 'starttls',
      'SMTP.AuthMethod': 'xoauth2',
      'SMTP.OAuth.Provider': 'microsoft',
    });
    expect(presetSettings(preset('microsoft-graph'), {})).toMatchObject({
      'SMTP.Transport': 'microsoft-graph',
    });
    expect(presetSettings(preset('google-workspace'), {})).toMatchObject({
      'SMTP.Server': 'smtp.gmail.com',
      'SMTP.AuthMethod': 'xoauth2',
      'SMTP.OAuth.Provider': 'google',
    });
    expect(presetSettings(preset('sendgrid'), {})).toMatchObject({
      'SMTP.Server': 'smtp.sendgrid.net',
      'SMTP.Username': 'apikey',
    });
    expect(presetSettings(preset('mailgun'), {})['SMTP.Server']).toBe(
      'smtp.mailgun.org',
    );
    expect(presetSettings(preset('mailjet'), {})['SMTP.Server']).toBe(
      'in-v3.mailjet.com',
    );
  });

  it("build the Amazon SES server from the tenant's region, and refuse what is no region", () => {
    const ses = preset('amazon-ses');
    const region = ses.questions.find(q => q.key === SMTP_KEYS.server)!;
    expect(presetSettings(ses, { [SMTP_KEYS.server]: 'eu-west-1' })).toEqual(
      expect.objectContaining({
        'SMTP.Server': 'email-smtp.eu-west-1.amazonaws.com',
        'SMTP.Port': '587',
        'SMTP.Security': 'starttls',
      }),
    );
    expect(presetAnswerProblem(region, 'eu-west-1')).toBeUndefined();
    expect(presetAnswerProblem(region, 'smtp.example.com')).toBe(
      'AWS region must look like eu-west-1',
    );
  });

  it('ask only what applies: no username or password for a relay without login', () => {
    const other = preset('other-smtp-server');
    const keys = (answers: Record<string, string>) =>
      presetQuestionsThatApply(other, answers).map(q => q.key);
    expect(keys({})).toContain(SMTP_KEYS.password);
    expect(keys({ [SMTP_KEYS.authMethod]: 'none' })).not.toContain(
      SMTP_KEYS.password,
    );
    expect(keys({ [SMTP_KEYS.authMethod]: 'none' })).not.toContain(
      SMTP_KEYS.username,
    );
  });

  it('check answers as the settings form does', () => {
    const other = preset('other-smtp-server');
    const port = other.questions.find(q => q.key === SMTP_KEYS.port)!;
    expect(presetAnswerProblem(port, '70000')).toBe(
      'SMTP port must be a whole number from 1 to 65535',
    );
    const security = other.questions.find(q => q.key === SMTP_KEYS.security)!;
    expect(presetAnswerProblem(security, '')).toBe(
      'Connection security must be one of: starttls, tls, none',
    );
  });

  it('find what is wrong with a configured preset', () => {
    expect(
      findPresetProblem({
        id: 'x',
        title: 'X',
        description: '',
        values: { 'SMTP.Servr': 'a' },
        questions: [],
      }),
    ).toBe('SMTP.Servr is not a known setting');
    expect(
      findPresetProblem({
        id: 'x',
        title: 'X',
        description: '',
        values: { 'SMTP.Port': 'smtp' },
        questions: [],
      }),
    ).toBe('SMTP.Port must be a whole number from 1 to 65535');
  });

  it('are saved as one change that removes what the previous server used, and keeps the sender', () => {
    const change = presetChange(
      preset('sendgrid'),
      { [SMTP_KEYS.password]: 'SG.key' },
      [
        SMTP_KEYS.server,
        SMTP_KEYS.oauthClientSecret,
        SMTP_KEYS.tlsCa,
        SMTP_KEYS.limitPreset,
        SMTP_KEYS.from,
        SMTP_KEYS.dkimPrivateKey,
      ],
    );
    expect(change).toEqual({
      'SMTP.Transport': 'smtp',
      'SMTP.Server': 'smtp.sendgrid.net',
      'SMTP.Port': '587',
      'SMTP.Security': 'starttls',
      'SMTP.AuthMethod': 'login',
      'SMTP.Username': 'apikey',
      'SMTP.Password': 'SG.key',
      'SMTP.OAuth.ClientSecret': null,
      'SMTP.TLS.CA': null,
      'SMTP.LimitPreset': null,
    });
  });

  it('leave out the answers that no longer apply', () => {
    const change = presetChange(
      preset('other-smtp-server'),
      {
        [SMTP_KEYS.server]: 'relay.example.com',
        [SMTP_KEYS.authMethod]: 'none',
        [SMTP_KEYS.username]: 'typed before choosing none',
      },
      [SMTP_KEYS.username],
    );
    expect(change).toEqual({
      'SMTP.Transport': 'smtp',
      'SMTP.Server': 'relay.example.com',
      'SMTP.Port': '587',
      'SMTP.Security': 'starttls',
      'SMTP.AuthMethod': 'none',
      'SMTP.Username': null,
    });
  });
});
