import { AddressPolicy } from './AddressPolicy';

describe('AddressPolicy', () => {
  it('lets every well-formed address through without rules', () => {
    const policy = new AddressPolicy({});
    expect(policy.permits('ada@example.com')).toBe(true);
    expect(policy.permits('ada@example.com, eve@evil.example')).toBe(false);
    expect(policy.permits('Ada <ada@example.com>')).toBe(false);
    expect(policy.permits('')).toBe(false);
  });

  it('keeps to the allowed domains exactly, unless an address is allow-listed', () => {
    const policy = new AddressPolicy({
      allowedDomains: ['example.com'],
      allowlist: ['contractor@gmail.example'],
    });
    expect(policy.permits('Ada@Example.COM')).toBe(true);
    expect(policy.permits('ada@mail.example.com')).toBe(false);
    expect(policy.permits('Contractor@Gmail.example')).toBe(true);
    expect(policy.permits('other@gmail.example')).toBe(false);
  });

  it('with an allow list alone, mails only the list', () => {
    const policy = new AddressPolicy({ allowlist: ['ada@example.com'] });
    expect(policy.permits('ada@example.com')).toBe(true);
    expect(policy.permits('grace@example.com')).toBe(false);
  });

  it('applies the deny list last, over the allow list and the domains', () => {
    const policy = new AddressPolicy({
      allowedDomains: ['example.com'],
      allowlist: ['eve@example.com'],
      denylist: ['eve@example.com'],
    });
    expect(policy.permits('EVE@example.com')).toBe(false);
    expect(policy.permits('ada@example.com')).toBe(true);
  });
});
