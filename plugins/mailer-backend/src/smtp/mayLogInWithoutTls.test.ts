import { mayLogInWithoutTls } from './SmtpServerSettings';

describe('mayLogInWithoutTls', () => {
  it('lets a password go without TLS only to this machine, unless the operator allows it', () => {
    for (const host of [
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '[::1]',
      'localhost',
    ]) {
      expect(mayLogInWithoutTls(host, false)).toBe(true);
    }
    for (const host of [
      'smtp.example.com',
      '10.0.0.5',
      // A name that points at loopback is still a name: TLS it is.
      '127.0.0.1.nip.io',
      '::ffff:127.0.0.1',
      '1127.0.0.1',
    ]) {
      expect(mayLogInWithoutTls(host, false)).toBe(false);
      expect(mayLogInWithoutTls(host, true)).toBe(true);
    }
  });
});
