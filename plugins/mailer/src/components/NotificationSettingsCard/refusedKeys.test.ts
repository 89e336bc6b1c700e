import { refusedKeys } from './refusedKeys';

describe('refusedKeys', () => {
  const keys = ['SMTP.Server', 'SMTP.Port', 'SMTP.OAuth.ClientId'];

  it('gives the key a refusal names the whole message, with what follows the semicolon', () => {
    expect(
      refusedKeys(
        'SMTP.Port 587 is not allowed for tenant SMTP servers; use one of 2525',
        keys,
      ),
    ).toEqual({
      'SMTP.Port':
        'SMTP.Port 587 is not allowed for tenant SMTP servers; use one of 2525',
    });
  });

  it('gives each key of a message about several its own part', () => {
    expect(
      refusedKeys(
        'SMTP.Server must be a host name; SMTP.Port must be a whole number from 1 to 65535',
        keys,
      ),
    ).toEqual({
      'SMTP.Server': 'SMTP.Server must be a host name',
      'SMTP.Port': 'SMTP.Port must be a whole number from 1 to 65535',
    });
  });

  it('names no key for a message about none, nor for a longer key that starts alike', () => {
    expect(refusedKeys('The request body is not valid JSON', keys)).toEqual({});
    expect(
      refusedKeys('SMTP.OAuth.ClientIdentity is not a known setting', keys),
    ).toEqual({});
  });

  it('gives the key the error body names the whole message, even one that names other keys', () => {
    expect(
      refusedKeys(
        'Port 8443 in SMTP.Server is not allowed; SMTP.Port is ignored',
        keys,
        'SMTP.Server',
      ),
    ).toEqual({
      'SMTP.Server':
        'Port 8443 in SMTP.Server is not allowed; SMTP.Port is ignored',
    });
  });
});
