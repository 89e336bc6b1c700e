/**
 * The names of the setting keys, for code that refers to one of them.
 *
 * @public
 */
export const SMTP_KEYS = {
  transport: 'SMTP.Transport',
  server: 'SMTP.Server',
  port: 'SMTP.Port',
  security: 'SMTP.Security',
  authMethod: 'SMTP.AuthMethod',
  username: 'SMTP.Username',
  password: 'SMTP.Password',
  oauthProvider: 'SMTP.OAuth.Provider',
  oauthTenantId: 'SMTP.OAuth.TenantId',
  oauthClientId: 'SMTP.OAuth.ClientId',
  oauthClientSecret: 'SMTP.OAuth.ClientSecret',
  oauthServiceAccountEmail: 'SMTP.OAuth.ServiceAccountEmail',
  oauthPrivateKey: 'SMTP.OAuth.PrivateKey',
  oauthTokenUrl: 'SMTP.OAuth.TokenUrl',
  oauthRefreshToken: 'SMTP.OAuth.RefreshToken',
  tlsCa: 'SMTP.TLS.CA',
  tlsRejectUnauthorized: 'SMTP.TLS.RejectUnauthorized',
  heloName: 'SMTP.HeloName',
  from: 'SMTP.From',
  fromName: 'SMTP.FromName',
  replyTo: 'SMTP.ReplyTo',
  rateLimit: 'SMTP.RateLimit',
  dailyLimit: 'SMTP.DailyLimit',
  limitPreset: 'SMTP.LimitPreset',
  dkimDomain: 'SMTP.DKIM.Domain',
  dkimSelector: 'SMTP.DKIM.Selector',
  dkimPrivateKey: 'SMTP.DKIM.PrivateKey',
  unsubscribeMailbox: 'SMTP.UnsubscribeMailbox',
} as const;
