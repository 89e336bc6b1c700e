import { TokenError } from '../oauth/TokenError';
import {
  failureOutcome,
  pauseReason,
  serverKindOf,
  tokenFailureReason,
} from './metricAttributes';

describe('metric attributes', () => {
  it('tells the default mailbox, tenant SMTP servers and Microsoft Graph apart', () => {
    const lane = (
      tenantId: string | undefined,
      transport?: 'microsoft-graph',
    ) => serverKindOf({ tenantId, server: { transport }, openConnections: 0 });
    expect(lane(undefined)).toBe('default');
    expect(lane('acme')).toBe('smtp');
    expect(lane('acme', 'microsoft-graph')).toBe('graph');
  });

  it('names a failure by its reply class, never by its text', () => {
    expect(
      failureOutcome({ responseCode: 550, response: '5.1.1 <a@b.c>' }),
    ).toBe('permanent');
    expect(failureOutcome({ responseCode: 452 })).toBe('temporary');
    expect(failureOutcome({ code: 'ECONNREFUSED' })).toBe('no_reply');
    expect(failureOutcome(undefined)).toBe('no_reply');
  });

  it('puts a pause in one of a few families, whatever code or reply it has', () => {
    expect(pauseReason('EAUTH', 535)).toBe('auth');
    expect(pauseReason('ETOKEN', undefined)).toBe('auth');
    expect(pauseReason('ECONNREFUSED', undefined)).toBe('connection');
    expect(pauseReason('ETLS', undefined)).toBe('tls');
    expect(pauseReason('EPOLICY', undefined)).toBe('policy');
    expect(pauseReason('ESETTINGS', undefined)).toBe('settings');
    expect(pauseReason(undefined, 421)).toBe('reply_4xx');
    expect(pauseReason('EPROTOCOL', 554)).toBe('reply_5xx');
    // A code nobody knows, e.g. one a future version writes, stays bounded.
    expect(pauseReason('E-anything-at-all', undefined)).toBe('other');
    expect(pauseReason(undefined, 9999)).toBe('other');
  });

  it("keeps only OAuth2's own error codes from a token endpoint's answer", () => {
    const refused = (error: string) =>
      new TokenError('refused', { status: 400, error });
    expect(tokenFailureReason(refused('invalid_client'))).toBe(
      'invalid_client',
    );
    expect(tokenFailureReason(refused('invalid_grant'))).toBe('invalid_grant');
    // Free text an endpoint made up does not become a label.
    expect(tokenFailureReason(refused('tenant contoso.example blocked'))).toBe(
      'refused',
    );
    expect(tokenFailureReason(new TokenError('down', {}))).toBe('unreachable');
    expect(tokenFailureReason(new Error('bug'))).toBe('error');
  });
});
