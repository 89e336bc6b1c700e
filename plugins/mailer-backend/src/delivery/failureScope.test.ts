import { SmtpFailure } from '../smtp/readSmtpFailure';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { failureScope } from './failureScope';

const server = {
  host: 'smtp.example.com',
  port: 587,
  from: 'portal@example.com',
} as SmtpServerSettings;

function scopeOf(failure: Partial<SmtpFailure>) {
  const { scope, ...rest } = failureScope(
    { text: 'failed', ...failure },
    server,
  ) as any;
  return { scope, temporary: rest.temporary };
}

describe('failureScope', () => {
  it.each([
    ['a refused connection', { stage: 'connect', code: 'ECONNREFUSED' }],
    [
      'a refused login',
      {
        stage: 'connect',
        responseCode: 535,
        response: '535 5.7.139 Authentication unsuccessful',
      },
    ],
    [
      'a greeting with an error',
      { stage: 'connect', responseCode: 554, response: '554 go away' },
    ],
    [
      'a refused sender',
      {
        stage: 'mail',
        responseCode: 550,
        response:
          '550 5.7.60 SMTP; Client does not have permissions to send as this sender',
      },
    ],
    [
      'a sender refused for now',
      {
        stage: 'mail',
        responseCode: 451,
        response: '451 4.3.0 Try again later',
      },
    ],
    [
      'login required at MAIL FROM',
      {
        stage: 'mail',
        responseCode: 530,
        response: '530 5.7.57 Client not authenticated',
      },
    ],
    [
      '421 at any stage',
      { stage: 'rcpt', responseCode: 421, response: '421 4.7.0 closing' },
    ],
    [
      'Exchange refusing to send as the sender, after the data',
      {
        stage: 'message',
        responseCode: 554,
        response: '554 5.2.252 SendAsDenied; x not allowed to send as y',
      },
    ],
  ] as Array<[string, Partial<SmtpFailure>]>)(
    'blames the server for %s',
    (_what, failure) => {
      expect(scopeOf(failure).scope).toBe('server');
    },
  );

  it.each([
    [
      'recipient unknown, whatever its name',
      {
        stage: 'rcpt',
        responseCode: 550,
        response:
          '550 5.1.1 <SendAsDenied@relay.test>: Recipient address rejected',
      },
      false,
    ],
    [
      'a recipient named like a login failure',
      {
        stage: 'rcpt',
        responseCode: 550,
        response: '550 5.1.1 <5.7.139@relay.test> unknown',
      },
      false,
    ],
    [
      'a recipient refused for now',
      { stage: 'rcpt', responseCode: 450, response: '450 4.2.0 greylisted' },
      true,
    ],
    [
      'Postfix refusing to relay to a recipient for now',
      {
        stage: 'rcpt',
        responseCode: 454,
        response: '454 4.7.1 <x@y>: Relay access denied',
      },
      true,
    ],
    [
      'a message refused after its data',
      {
        stage: 'message',
        responseCode: 554,
        response: '554 5.6.0 Message content rejected',
      },
      false,
    ],
    [
      'a message too large for the server',
      {
        stage: 'message',
        responseCode: 552,
        response: '552 5.3.4 Message size exceeds fixed limit',
      },
      false,
    ],
    [
      'a size refused at MAIL FROM',
      {
        stage: 'mail',
        responseCode: 552,
        response: '552 5.3.4 Message size exceeds fixed limit',
      },
      false,
    ],
    [
      'a message deferred after its data',
      { stage: 'message', responseCode: 451, response: '451 4.7.1 try later' },
      true,
    ],
    [
      'a refused DATA command',
      {
        stage: 'data',
        responseCode: 554,
        response: '554 5.5.1 no valid recipients',
      },
      false,
    ],
    [
      'a dropped connection mid-transaction',
      { stage: 'transaction', code: 'ECONNECTION' },
      true,
    ],
    [
      'a message larger than the announced size',
      { stage: 'mail', code: 'EMESSAGE' },
      false,
    ],
  ] as Array<[string, Partial<SmtpFailure>, boolean]>)(
    'blames the message for %s',
    (_what, failure, temporary) => {
      expect(scopeOf(failure)).toEqual({ scope: 'message', temporary });
    },
  );

  it('marks a 421 inside a transaction as one the message may have caused', () => {
    expect(
      failureScope(
        { text: 'x', stage: 'message', responseCode: 421, response: '421 bye' },
        server,
      ),
    ).toMatchObject({ scope: 'server', duringMessage: true });
    expect(
      failureScope(
        { text: 'x', stage: 'connect', responseCode: 421, response: '421 bye' },
        server,
      ),
    ).toMatchObject({ scope: 'server', duringMessage: false });
  });
});
