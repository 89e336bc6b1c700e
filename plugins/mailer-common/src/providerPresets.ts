import { connectionKeys } from './catalog/connectionKeys';
import { SMTP_KEYS } from './catalog/keys';
import { oauthKeys } from './catalog/oauthKeys';
import { keyApplies } from './settingRequirements';
import { findSettingKey } from './settingKeys';
import { SettingsChange, validateSettingValue } from './settingValidation';

/**
 * A value the tenant types in when setting up a provider.
 *
 * @public
 */
export interface ProviderPresetQuestion {
  /** The setting key the answer is stored under. */
  key: string;
  /** What to enter for this provider, where the catalog's help is too general. */
  hint?: string;
  /** What the field starts with, e.g. 587 for a port the tenant may change. */
  initialValue?: string;
  /**
   * The answer is one part of the value, e.g. the AWS region of
   * `email-smtp.{}.amazonaws.com`: `{}` in `text` is replaced by it.
   */
  template?: {
    text: string;
    /** The field's label, e.g. "AWS region". */
    label: string;
    /** What the part must look like. */
    pattern: RegExp;
    /** An example of the part, for the help text and the problem. */
    example: string;
  };
}

/**
 * A provider a tenant sets up in one step: the values that are the same for
 * every tenant of that provider, and the questions for the tenant's own.
 *
 * @public
 */
export interface ProviderPreset {
  /** Stable id, e.g. `office-365`. */
  id: string;
  /** The name shown in the card, e.g. "Office 365 (OAuth2 SMTP)". */
  title: string;
  /** One line on when to choose it. */
  description: string;
  /** The anchor of the provider's section in the docs' providers page, e.g. `office-365`. */
  docsAnchor?: string;
  /** A full link to its setup steps, used as given (for presets a portal configures). */
  docsUrl?: string;
  /** The known values, by setting key. */
  values: Readonly<Record<string, string>>;
  /** The tenant's own values, in the order they are asked for. */
  questions: readonly ProviderPresetQuestion[];
}

const smtpSubmission = (server: string) => ({
  [SMTP_KEYS.transport]: 'smtp',
  [SMTP_KEYS.server]: server,
  [SMTP_KEYS.port]: '587',
  [SMTP_KEYS.security]: 'starttls',
});

const passwordLogin = (server: string) => ({
  ...smtpSubmission(server),
  [SMTP_KEYS.authMethod]: 'login',
});

const microsoftApp: readonly ProviderPresetQuestion[] = [
  { key: SMTP_KEYS.oauthTenantId },
  { key: SMTP_KEYS.oauthClientId },
  { key: SMTP_KEYS.oauthClientSecret },
];

/**
 * The providers the card offers under "Set up a server", with their real
 * servers and login methods. Each links to its section of `docs/providers.md`.
 *
 * @public
 */
export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  {
    id: 'office-365',
    title: 'Office 365 (OAuth2 SMTP)',
    description:
      'Exchange Online over SMTP with an Entra ID app registration instead of a password.',
    docsAnchor: 'office-365',
    values: {
      ...smtpSubmission('smtp.office365.com'),
      [SMTP_KEYS.authMethod]: 'xoauth2',
      [SMTP_KEYS.oauthProvider]: 'microsoft',
      [SMTP_KEYS.limitPreset]: 'exchange-online',
    },
    questions: [
      { key: SMTP_KEYS.username, hint: 'The mailbox mail is sent from.' },
      ...microsoftApp,
    ],
  },
  {
    id: 'microsoft-graph',
    title: 'Office 365 (Microsoft Graph)',
    description:
      'Exchange Online through the Graph API, for tenants that switched SMTP AUTH off.',
    docsAnchor: 'microsoft-graph',
    values: {
      [SMTP_KEYS.transport]: 'microsoft-graph',
      [SMTP_KEYS.limitPreset]: 'exchange-online',
    },
    questions: [
      { key: SMTP_KEYS.username, hint: 'The mailbox mail is sent from.' },
      ...microsoftApp,
    ],
  },
  {
    id: 'google-workspace',
    title: 'Google Workspace',
    description:
      'Gmail over SMTP with a service account and domain-wide delegation.',
    docsAnchor: 'google-workspace',
    values: {
      ...smtpSubmission('smtp.gmail.com'),
      [SMTP_KEYS.authMethod]: 'xoauth2',
      [SMTP_KEYS.oauthProvider]: 'google',
      [SMTP_KEYS.limitPreset]: 'google-workspace',
    },
    questions: [
      {
        key: SMTP_KEYS.username,
        hint: 'The Workspace mailbox mail is sent from.',
      },
      { key: SMTP_KEYS.oauthServiceAccountEmail },
      { key: SMTP_KEYS.oauthPrivateKey },
    ],
  },
  {
    id: 'amazon-ses',
    title: 'Amazon SES (SMTP)',
    description: "Amazon Simple Email Service's SMTP interface.",
    docsAnchor: 'amazon-ses',
    values: passwordLogin('email-smtp.us-east-1.amazonaws.com'),
    questions: [
      {
        key: SMTP_KEYS.server,
        template: {
          text: 'email-smtp.{}.amazonaws.com',
          label: 'AWS region',
          pattern: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
          example: 'eu-west-1',
        },
      },
      {
        key: SMTP_KEYS.username,
        hint: 'The SMTP user name from the SES console (not your AWS access key id).',
      },
      {
        key: SMTP_KEYS.password,
        hint: 'The SMTP password from the SES console.',
      },
    ],
  },
  {
    id: 'sendgrid',
    title: 'SendGrid',
    description: "Twilio SendGrid's SMTP relay, with an API key.",
    docsAnchor: 'sendgrid',
    values: {
      ...passwordLogin('smtp.sendgrid.net'),
      // SendGrid's SMTP user name is this word for every account.
      [SMTP_KEYS.username]: 'apikey',
    },
    questions: [
      {
        key: SMTP_KEYS.password,
        hint: 'A SendGrid API key with the Mail Send permission.',
      },
    ],
  },
  {
    id: 'mailgun',
    title: 'Mailgun',
    description: "Mailgun's SMTP relay (US region).",
    docsAnchor: 'mailgun',
    values: passwordLogin('smtp.mailgun.org'),
    questions: [
      {
        key: SMTP_KEYS.username,
        hint: "The domain's SMTP login, e.g. postmaster@mg.example.com.",
      },
      { key: SMTP_KEYS.password, hint: "The SMTP login's password." },
    ],
  },
  {
    id: 'mailjet',
    title: 'Mailjet',
    description: "Mailjet's SMTP relay.",
    docsAnchor: 'mailjet',
    values: passwordLogin('in-v3.mailjet.com'),
    questions: [
      { key: SMTP_KEYS.username, hint: 'Your Mailjet API key.' },
      { key: SMTP_KEYS.password, hint: 'Your Mailjet secret key.' },
    ],
  },
  {
    id: 'other-smtp-server',
    title: 'Other SMTP server',
    description: 'Any server that takes mail over SMTP with a password.',
    docsAnchor: 'other-smtp-server',
    values: { [SMTP_KEYS.transport]: 'smtp' },
    questions: [
      { key: SMTP_KEYS.server },
      { key: SMTP_KEYS.port, initialValue: '587' },
      { key: SMTP_KEYS.security, initialValue: 'starttls' },
      { key: SMTP_KEYS.authMethod, initialValue: 'login' },
      { key: SMTP_KEYS.username },
      { key: SMTP_KEYS.password },
    ],
  },
];

/**
 * What the tenant typed, by question key.
 *
 * @public
 */
export type ProviderPresetAnswers = Readonly<Record<string, string>>;

/** The value a question's answer stands for: the whole answer, or the template filled in. */
function answerValue(question: ProviderPresetQuestion, answer: string) {
  return question.template
    ? question.template.text.replace('{}', answer)
    : answer;
}

/**
 * The questions that mean something with what is set and answered so far,
 * e.g. no password once the login method `none` is chosen.
 *
 * @public
 */
export function presetQuestionsThatApply(
  preset: ProviderPreset,
  answers: ProviderPresetAnswers,
): ProviderPresetQuestion[] {
  const values = new Map(Object.entries(presetSettings(preset, answers)));
  return preset.questions.filter(question => {
    const definition = findSettingKey(question.key);
    return definition !== undefined && keyApplies(definition, values);
  });
}

/**
 * The settings a preset stores: its known values, then the answers (where
 * a question asks for a key the preset also knows, the answer wins).
 *
 * @public
 */
export function presetSettings(
  preset: ProviderPreset,
  answers: ProviderPresetAnswers,
): Record<string, string> {
  const settings: Record<string, string> = { ...preset.values };
  for (const question of preset.questions) {
    const answer = answers[question.key] ?? question.initialValue;
    if (answer !== undefined) {
      settings[question.key] = answerValue(question, answer);
    }
  }
  return settings;
}

/**
 * What is wrong with an answer, fit to show under its field, or undefined.
 * The same checks as the settings form, and a template's part on its own.
 *
 * @public
 */
export function presetAnswerProblem(
  question: ProviderPresetQuestion,
  answer: string,
): string | undefined {
  const definition = findSettingKey(question.key);
  if (!definition) return `${question.key} is not a known setting`;
  const { template } = question;
  if (template) {
    return template.pattern.test(answer)
      ? undefined
      : `${template.label} must look like ${template.example}`;
  }
  if (definition.type === 'choice' && answer === '') {
    return `${definition.label} must be one of: ${definition.choices?.join(', ')}`;
  }
  const problem = validateSettingValue(definition, answer);
  return problem && `${definition.label} ${problem}`;
}

/**
 * Why a preset cannot be offered, or undefined: a key the catalog does not
 * know, or a known value its rules refuse. For presets a portal configures.
 *
 * @public
 */
export function findPresetProblem(preset: ProviderPreset): string | undefined {
  for (const [key, value] of Object.entries(preset.values)) {
    const definition = findSettingKey(key);
    if (!definition) return `${key} is not a known setting`;
    const problem = validateSettingValue(definition, value);
    if (problem) return `${key} ${problem}`;
  }
  const unknown = preset.questions.find(q => !findSettingKey(q.key));
  return unknown && `${unknown.key} is not a known setting`;
}

/**
 * The keys a preset stands for as a whole: how the portal reaches the
 * server, logs in, and the provider's limits. Sender, DKIM and other keys
 * are the tenant's own and stay.
 */
const PROVIDER_KEYS: ReadonlySet<string> = new Set([
  ...connectionKeys.map(d => d.key),
  ...oauthKeys.map(d => d.key),
  SMTP_KEYS.limitPreset,
]);

/**
 * The one change that sets up a provider: the preset's settings (only the
 * answers that apply), and null for every stored connection, login or
 * limit key it does not set, so nothing of the previous server lingers.
 *
 * @public
 */
export function presetChange(
  preset: ProviderPreset,
  answers: ProviderPresetAnswers,
  storedKeys: Iterable<string>,
): SettingsChange {
  const asked = new Set(preset.questions.map(q => q.key));
  const applying = new Set(
    presetQuestionsThatApply(preset, answers).map(q => q.key),
  );
  const change: SettingsChange = {};
  for (const [key, value] of Object.entries(presetSettings(preset, answers))) {
    if (!asked.has(key) || applying.has(key) || key in preset.values) {
      change[key] = value;
    }
  }
  for (const key of storedKeys) {
    if (PROVIDER_KEYS.has(key) && !(key in change)) change[key] = null;
  }
  return change;
}
