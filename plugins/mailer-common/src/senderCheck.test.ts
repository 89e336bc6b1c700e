import { deliverabilityOf, SenderCheckItem } from './senderCheck';

const item = (
  check: SenderCheckItem['check'],
  status: SenderCheckItem['status'],
): SenderCheckItem => ({ check, status, message: `${check} ${status}` });

const allPass = () => [
  item('sender', 'pass'),
  item('spf', 'pass'),
  item('dkim', 'pass'),
  item('dmarc', 'pass'),
  item('alignment', 'pass'),
];

describe('deliverabilityOf', () => {
  it('is ready for bulk mail only when SPF, DKIM and DMARC pass and align', () => {
    expect(deliverabilityOf(allPass())).toEqual({
      ready: true,
      summary: 'Ready for bulk mail',
      missing: [],
    });
    for (const name of ['spf', 'dkim', 'dmarc', 'alignment'] as const) {
      for (const status of ['warn', 'fail', 'unchecked'] as const) {
        const checks = allPass().map(c =>
          c.check === name ? item(name, status) : c,
        );
        expect([name, status, deliverabilityOf(checks).ready]).toEqual([
          name,
          status,
          false,
        ]);
      }
    }
  });

  it('names what is missing in order of importance, whatever order the checks come in', () => {
    const checks = [
      item('alignment', 'fail'),
      item('dmarc', 'fail'),
      item('dkim', 'unchecked'),
      item('spf', 'warn'),
      item('sender', 'fail'),
    ];
    expect(deliverabilityOf(checks)).toEqual({
      ready: false,
      summary:
        'Not ready for bulk mail: the mailbox may not send as this address; the SPF record is too lenient; DKIM could not be checked; no valid DMARC record; the From domain is not aligned with DKIM or SPF',
      missing: [
        'the mailbox may not send as this address',
        'the SPF record is too lenient',
        'DKIM could not be checked',
        'no valid DMARC record',
        'the From domain is not aligned with DKIM or SPF',
      ],
    });
  });

  it('lets a warning about the From address pass, and counts a missing check as not checked', () => {
    const checks = allPass().map(c =>
      c.check === 'sender' ? item('sender', 'warn') : c,
    );
    expect(deliverabilityOf(checks).ready).toBe(true);
    expect(
      deliverabilityOf(allPass().filter(c => c.check !== 'dkim')).missing,
    ).toEqual(['DKIM could not be checked']);
  });
});
