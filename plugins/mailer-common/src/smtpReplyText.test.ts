import { smtpReplyText } from './smtpReplyText';

describe('smtpReplyText', () => {
  it('says the reply code once when the text starts with it, as nodemailer gives it', () => {
    expect(
      smtpReplyText({
        responseCode: 535,
        response: '535 5.7.3 Authentication unsuccessful',
      }),
    ).toBe('535 5.7.3 Authentication unsuccessful');
  });

  it('puts the code in front of a text without it', () => {
    expect(
      smtpReplyText({
        responseCode: 535,
        response: '5.7.3 Authentication unsuccessful',
      }),
    ).toBe('535 5.7.3 Authentication unsuccessful');
  });

  it('joins a multi-line reply into one sentence without repeated codes', () => {
    expect(
      smtpReplyText({
        responseCode: 535,
        response:
          '535-5.7.8 Username and Password not accepted. For more information, go to\r\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials x1-20020a05 - gsmtp',
      }),
    ).toBe(
      '535 5.7.8 Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials x1-20020a05 - gsmtp',
    );
  });

  it('reads the code from the text when responseCode is missing, and is empty without a reply', () => {
    expect(smtpReplyText({ response: '421 4.7.0 Try again later' })).toBe(
      '421 4.7.0 Try again later',
    );
    expect(smtpReplyText({ responseCode: 550 })).toBe('550');
    expect(smtpReplyText(undefined)).toBe('');
    expect(smtpReplyText({})).toBe('');
  });
});
