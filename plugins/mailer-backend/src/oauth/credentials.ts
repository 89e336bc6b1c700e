/** The app credentials that get OAuth2 access tokens for a mailbox. */
export type OAuthCredentials =
  | {
      provider: 'microsoft';
      tenantId: string;
      clientId: string;
      clientSecret: string;
    }
  | { provider: 'google'; serviceAccountEmail: string; privateKey: string }
  | {
      provider: 'refresh-token';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      refreshToken: string;
    };
