import { isEmailAddress, isServerAddress } from './addressSyntax';

describe('isServerAddress', () => {
  it.each([
    'smtp.office365.com',
    'smtp.gmail.com',
    'localhost',
    'mail-1.example.co.uk.',
    '192.0.2.10',
    '::1',
    '[2001:db8::25]',
    '2001:db8:0:0:0:0:0:1',
    '::ffff:192.0.2.1',
  ])('accepts %s', value => expect(isServerAddress(value)).toBe(true));

  it.each([
    '',
    'smtp example.com',
    'smtp.example.com:587',
    '-smtp.example.com',
    'smtp..example.com',
    '256.1.1.1',
    '192.0.2',
    '2001:db8::1::2',
    'smtp.example.com\r\n',
    `${'a'.repeat(64)}.example.com`,
  ])('refuses %j', value => expect(isServerAddress(value)).toBe(false));
});

describe('isEmailAddress', () => {
  it.each([
    'no-reply@elixeum.cloud',
    'first.last+tag@mail.example.com',
    "o'brien@example.ie",
  ])('accepts %s', value => expect(isEmailAddress(value)).toBe(true));

  it.each([
    'plainaddress',
    '@example.com',
    'a@localhost',
    'a@b@example.com',
    'a..b@example.com',
    'a b@example.com',
    'a@example.com\r\nBcc: x@example.com',
    'Name <a@example.com>',
    `${'a'.repeat(65)}@example.com`,
  ])('refuses %j', value => expect(isEmailAddress(value)).toBe(false));
});
