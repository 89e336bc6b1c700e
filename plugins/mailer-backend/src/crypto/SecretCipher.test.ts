import { ConfigReader } from '@backstage/config';
import { randomBytes } from 'node:crypto';
import { SecretCipher } from './SecretCipher';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const cipherWith = (...keys: Array<{ id?: string; secret?: string }>) =>
  SecretCipher.fromConfig(
    new ConfigReader({ mailer: { encryption: { keys } } }),
  );

describe('SecretCipher', () => {
  it('round-trips a secret with a fresh IV each time, marked with the current key', () => {
    const cipher = cipherWith({ id: 'a', secret: keyA });
    const first = cipher.encrypt('pässwörd', 'tenant:SMTP.Password');
    const second = cipher.encrypt('pässwörd', 'tenant:SMTP.Password');
    expect(first.keyId).toBe('a');
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(first.ciphertext).not.toContain('pässwörd');
    expect(cipher.decrypt(first, 'tenant:SMTP.Password')).toBe('pässwörd');
    expect(cipher.decrypt(second, 'tenant:SMTP.Password')).toBe('pässwörd');
  });

  it('refuses a ciphertext moved to another context or altered', () => {
    const cipher = cipherWith({ id: 'a', secret: keyA });
    const secret = cipher.encrypt('hunter2', 'tenant-1:SMTP.Password');
    expect(() => cipher.decrypt(secret, 'tenant-2:SMTP.Password')).toThrow(
      'integrity check',
    );
    const [version, iv, tag, body] = secret.ciphertext.split('.');
    const flipped = Buffer.from(body, 'base64');
    flipped[0] ^= 1;
    const altered = [version, iv, tag, flipped.toString('base64')].join('.');
    expect(() =>
      cipher.decrypt(
        { ...secret, ciphertext: altered },
        'tenant-1:SMTP.Password',
      ),
    ).toThrow('integrity check');
    const shortTag = [version, iv, tag.slice(0, 8), body].join('.');
    expect(() =>
      cipher.decrypt(
        { ...secret, ciphertext: shortTag },
        'tenant-1:SMTP.Password',
      ),
    ).toThrow();
  });

  it('still reads values of an older key after a new key is put first', () => {
    const old = cipherWith({ id: 'a', secret: keyA });
    const stored = old.encrypt('hunter2', 'ctx');
    const rotated = cipherWith(
      { id: 'b', secret: keyB },
      { id: 'a', secret: keyA },
    );
    expect(rotated.decrypt(stored, 'ctx')).toBe('hunter2');
    expect(rotated.encrypt('new', 'ctx').keyId).toBe('b');
    expect(() =>
      cipherWith({ id: 'b', secret: keyB }).decrypt(stored, 'ctx'),
    ).toThrow(
      'key "a", which is not in mailer.encryption.keys: ask your portal operator',
    );
    expect(rotated.primaryKeyId).toBe('b');
    expect(rotated.keyIds).toEqual(['b', 'a']);
    expect([rotated.hasKey('a'), rotated.hasKey('c')]).toEqual([true, false]);
  });

  it('refuses to start without a key, and says how to make one', () => {
    expect(() => SecretCipher.fromConfig(new ConfigReader({}))).toThrow(
      /mailer\.encryption\.keys is not set.*randomBytes\(32\)/,
    );
    expect(() => cipherWith({ id: 'a' })).toThrow(
      'must have a secret of exactly 32 bytes',
    );
  });

  it('refuses a key of the wrong length without echoing it', () => {
    const tooShort = randomBytes(16).toString('base64');
    let message = '';
    try {
      cipherWith({ id: 'a', secret: tooShort });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      'mailer.encryption.keys[0] (id "a") must have a secret of exactly 32 bytes',
    );
    expect(message).not.toContain(tooShort);
  });

  /** The message of the error `fromConfig` throws, which must never contain a secret. */
  function startupError(...keys: Array<{ id?: string; secret?: string }>) {
    try {
      cipherWith(...keys);
    } catch (error) {
      const message = (error as Error).message;
      for (const key of keys) {
        if (key.secret) expect(message).not.toContain(key.secret);
      }
      return message;
    }
    throw new Error('The key configuration was accepted');
  }

  it('refuses two keys with the same id, naming the second', () => {
    // Otherwise the second would be the one that decrypts values the first encrypted.
    expect(
      startupError(
        { id: 'a', secret: keyA },
        { id: 'b', secret: keyB },
        { id: 'a', secret: keyB },
      ),
    ).toBe(
      'mailer.encryption.keys[2] (id "a") repeats the id of an earlier key; every key needs its own id',
    );
  });

  it.each([[''], ['   '], [undefined]])(
    'refuses an empty id (%j), naming the entry',
    id => {
      expect(
        startupError({ id: 'a', secret: keyA }, { id, secret: keyB }),
      ).toBe('mailer.encryption.keys[1] needs an id, e.g. "2026-11"');
    },
  );

  it.each([
    ['with a line break', `${keyA}\n`],
    ['in quotes', `"${keyA}"`],
    ['in base64url', randomBytes(32).toString('base64url')],
    ['without padding', keyA.replace(/=+$/, '')],
    ['of 33 bytes', randomBytes(33).toString('base64')],
    ['as hex', randomBytes(32).toString('hex')],
  ])(
    'refuses a secret %s, naming the entry and not the secret',
    (_case, secret) => {
      expect(startupError({ id: 'k1', secret })).toContain(
        'mailer.encryption.keys[0] (id "k1") must have a secret of exactly 32 bytes in base64',
      );
    },
  );
});
