import { providerOf, providerOfReply, providerOfServer } from './mailProvider';
import { explainProviderRefusal } from './providerRefusals';

const GMAIL = ' d2e1a72fcca58-7f0a1b2c3d4e5f6a.12 - gsmtp';
const EXCHANGE =
  ' [AM0PR10CA0001.EURPRD10.PROD.OUTLOOK.COM 2026-12-06T04:00:00.000Z 08DE1234ABCD5678]';

describe('which provider answered', () => {
  it.each([
    ['smtp.office365.com', 'microsoft'],
    ['smtp-mail.outlook.com', 'microsoft'],
    ['contoso-com.mail.protection.outlook.com', 'microsoft'],
    ['smtp.gmail.com', 'google'],
    ['smtp-relay.gmail.com', 'google'],
    ['aspmx.l.google.com', 'google'],
    ['mail.example.com', 'other'],
    ['notgmail.com', 'other'],
    ['gmail.com.example.net', 'other'],
  ])('knows %s as %s', (host, provider) => {
    expect(providerOfServer({ host })).toBe(provider);
  });

  it('knows Graph as Microsoft, whatever its host', () => {
    expect(providerOfServer({ host: '', transport: 'microsoft-graph' })).toBe(
      'microsoft',
    );
  });

  it("reads Gmail's and Exchange Online's marks at the end of a reply only", () => {
    expect(providerOfReply(`550 5.7.26 Unauthenticated.${GMAIL}`)).toBe(
      'google',
    );
    expect(providerOfReply(`550 5.7.30 Basic auth off.${EXCHANGE}`)).toBe(
      'microsoft',
    );
    expect(providerOfReply('550 5.1.1 gsmtp@example.com unknown user')).toBe(
      'other',
    );
    // A relay's own name wins over what the reply claims.
    expect(
      providerOf({ host: 'smtp.office365.com' }, `550 5.7.30 x${GMAIL}`),
    ).toBe('microsoft');
    expect(
      providerOf({ host: 'relay.example.net' }, `550 5.7.30 x${GMAIL}`),
    ).toBe('google');
  });
});

describe('explainProviderRefusal', () => {
  it.each([
    [
      '550 5.7.26 Unauthenticated email is not accepted',
      'google',
      'sender-not-authenticated',
      'the sender is not authenticated',
    ],
    [
      '550 5.7.26 Multiple authentication checks failed',
      'other',
      'sender-not-authenticated',
      'the sender is not authenticated',
    ],
    [
      '421 4.7.27 SPF check did not pass',
      'google',
      'sender-not-authenticated',
      'SPF did not pass',
    ],
    [
      '550 5.7.27 SPF check did not pass',
      'google',
      'sender-not-authenticated',
      'SPF did not pass',
    ],
    [
      '421 4.7.30 DKIM check did not pass',
      'google',
      'sender-not-authenticated',
      'DKIM did not pass',
    ],
    [
      '550 5.7.30 DKIM check did not pass',
      'google',
      'sender-not-authenticated',
      'DKIM did not pass',
    ],
    [
      '421 4.7.32 From header not aligned',
      'google',
      'sender-not-authenticated',
      'not aligned',
    ],
    [
      '421 4.7.40 DMARC policy not set',
      'google',
      'sender-not-authenticated',
      'no DMARC policy',
    ],
    [
      '550 5.7.40 DMARC policy not set',
      'google',
      'sender-not-authenticated',
      'no DMARC policy',
    ],
    [
      '421 4.7.28 Message-ID sent too often',
      'google',
      'rate-limited',
      'the same Message-ID',
    ],
    [
      '421 4.7.28 Mail flood detected',
      'other',
      'rate-limited',
      'too much mail',
    ],
    [
      '421 4.7.29 Not sent over TLS',
      'google',
      'tls-failure',
      'not sent over TLS',
    ],
    [
      '550 5.7.29 Not sent over TLS',
      'google',
      'tls-failure',
      'not sent over TLS',
    ],
    [
      '550 5.7.515 Access denied, authentication level',
      'microsoft',
      'sender-not-authenticated',
      'Outlook.com',
    ],
  ] as const)('explains %s from %s', (response, provider, outcome, text) => {
    const code = Number(response.slice(0, 3));
    const refusal = explainProviderRefusal(
      { responseCode: code, response },
      provider,
    );
    expect(refusal?.outcome).toBe(outcome);
    expect(refusal?.message).toContain(text);
    expect(refusal?.message).toContain(
      `(${response.split(' ').slice(0, 2).join(' ')})`,
    );
    expect(refusal?.advice).toBeTruthy();
  });

  it("leaves Gmail's own codes to other servers' meanings when Google did not answer", () => {
    for (const response of [
      '550 5.7.30 Basic authentication is not supported for Client Submission.',
      '550 5.7.27 Sender address has null MX',
      '421 4.7.40 something else',
      '550 5.7.29 ARC validation failure',
    ]) {
      for (const provider of ['microsoft', 'other'] as const) {
        expect([
          response,
          provider,
          explainProviderRefusal({ response }, provider),
        ]).toEqual([response, provider, undefined]);
      }
    }
  });

  it('reads the code at its place only, never in the text', () => {
    expect(
      explainProviderRefusal(
        {
          responseCode: 550,
          response: '550 5.1.1 <5.7.26@example.com> unknown',
        },
        'google',
      ),
    ).toBeUndefined();
    expect(
      explainProviderRefusal(
        { responseCode: 421, response: '421 Try again, see 4.7.28' },
        'google',
      ),
    ).toBeUndefined();
  });
});
