import { maskAddress, maskDeliverySummary } from './maskRecipients';

describe('masking recipients', () => {
  it('keeps the first letter and the domain', () => {
    expect(maskAddress('ada@example.com')).toBe('a***@example.com');
    expect(maskAddress('x@example.com')).toBe('x***@example.com');
    expect(maskAddress('broken')).toBe('***');
  });

  it('masks recipients, and addresses in replies and subjects', () => {
    const masked = maskDeliverySummary({
      campaigns: [
        {
          campaignId: 'c',
          createdAt: '2025-01-01T00:00:00.000Z',
          subject: 'Reset for grace.hopper@navy.example',
          counts: {
            queued: 0,
            sending: 0,
            retrying: 0,
            sent: 0,
            partial: 0,
            failed: 1,
          },
        },
      ],
      recentFailures: [
        {
          id: 'm',
          campaignId: 'c',
          recipients: ['grace.hopper@navy.example'],
          reply: {
            responseCode: 550,
            response: '5.1.1 <grace.hopper@navy.example>: user unknown',
          },
          failedAt: '2025-01-01T00:00:00.000Z',
        },
      ],
    });
    expect(JSON.stringify(masked)).not.toContain('grace.hopper');
    expect(masked.recentFailures[0].recipients).toEqual(['g***@navy.example']);
    expect(masked.recentFailures[0].reply?.response).toBe(
      '5.1.1 <g***@navy.example>: user unknown',
    );
    expect(masked.campaigns[0].subject).toBe('Reset for g***@navy.example');
  });
});
