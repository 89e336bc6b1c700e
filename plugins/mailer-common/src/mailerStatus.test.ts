import { customSenderOf, mailerStatusOf } from './mailerStatus';

const DEFAULT_SENDER = 'no-reply@portal.example';

describe('mailerStatusOf', () => {
  it('uses the default mailbox until every required key is set', () => {
    const values = new Map([['SMTP.Server', 'smtp.example.com']]);
    expect(mailerStatusOf(values, DEFAULT_SENDER)).toEqual({
      server: 'default',
      missingKeys: ['SMTP.Port', 'SMTP.Username', 'SMTP.Password'],
      sender: DEFAULT_SENDER,
    });
  });

  it('sends as SMTP.From, else as a username that is a mail address, else as the default sender', () => {
    const complete = new Map([
      ['SMTP.Server', 'smtp.example.com'],
      ['SMTP.Port', '587'],
      ['SMTP.Username', 'portal@example.com'],
      ['SMTP.Password', 'set'],
    ]);
    expect(mailerStatusOf(complete, DEFAULT_SENDER)).toEqual({
      server: 'custom',
      missingKeys: [],
      sender: 'portal@example.com',
    });
    const withFrom = new Map([...complete, ['SMTP.From', 'news@example.com']]);
    expect(mailerStatusOf(withFrom, DEFAULT_SENDER).sender).toBe(
      'news@example.com',
    );
    const plainUser = new Map([...complete, ['SMTP.Username', 'portal']]);
    expect(customSenderOf(plainUser)).toBeUndefined();
    expect(mailerStatusOf(plainUser, DEFAULT_SENDER).sender).toBe(
      DEFAULT_SENDER,
    );
  });
});
