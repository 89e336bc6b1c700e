import { DeliverySummary } from '@elixeum/plugin-mailer-common';
import { maskAddress, maskDeliverySummary } from './maskRecipients';

const NONE = {
  queued: 0,
  sending: 0,
  retrying: 0,
  sent: 0,
  partial: 0,
  failed: 0,
  suppressed: 0,
};

/** A summary with nothing in it but what a test adds. */
function summaryWith(extra: Partial<DeliverySummary>): DeliverySummary {
  return {
    campaigns: [],
    singleMessages: { since: '2025-01-01T00:00:00.000Z', counts: NONE },
    hourly: [],
    recentFailures: [],
    ...extra,
  };
}

describe('masking recipients', () => {
  it('keeps the first letter and the domain', () => {
    expect(maskAddress('ada@example.com')).toBe('a***@example.com');
    expect(maskAddress('x@example.com')).toBe('x***@example.com');
    expect(maskAddress('broken')).toBe('***');
  });

  it('masks recipients, and addresses in replies and subjects', () => {
    const masked = maskDeliverySummary(
      summaryWith({
        campaigns: [
          {
            campaignId: 'c',
            kind: 'bulk',
            createdAt: '2025-01-01T00:00:00.000Z',
            subject: 'Reset for grace.hopper@navy.example',
            counts: { ...NONE, failed: 1 },
            unsubscribes: 0,
          },
        ],
        recentFailures: [
          {
            id: 'm',
            campaignId: 'c',
            subject: 'Reset for grace.hopper@navy.example',
            kind: 'bulk',
            recipients: ['grace.hopper@navy.example'],
            reply: {
              responseCode: 550,
              response: '5.1.1 <grace.hopper@navy.example>: user unknown',
            },
            failedAt: '2025-01-01T00:00:00.000Z',
          },
        ],
      }),
    );
    expect(JSON.stringify(masked)).not.toContain('grace.hopper');
    expect(masked.recentFailures[0].recipients).toEqual(['g***@navy.example']);
    expect(masked.recentFailures[0].reply?.response).toBe(
      '5.1.1 <g***@navy.example>: user unknown',
    );
    expect(masked.campaigns[0].subject).toBe('Reset for g***@navy.example');
    expect(masked.recentFailures[0].subject).toBe(
      'Reset for g***@navy.example',
    );
  });

  it("keeps a paused tenant's pause, masking addresses in its reason and reply, and the counts and hours as they are", () => {
    const hourly = [{ hour: '2025-01-01T00:00:00.000Z', sent: 3, failed: 1 }];
    const singleMessages = {
      since: '2024-12-31T01:00:00.000Z',
      counts: { ...NONE, sent: 42, failed: 1 },
    };
    const masked = maskDeliverySummary(
      summaryWith({
        hourly,
        singleMessages,
        pause: {
          server: 'custom',
          since: '2025-01-01T00:00:00.000Z',
          nextAttemptAt: '2025-01-01T00:05:00.000Z',
          failures: 3,
          reason:
            'The server refused the sender mailer@tenant.example (550 5.7.60).',
          reply: {
            responseCode: 550,
            response: '5.7.60 mailer@tenant.example may not send',
            code: 'EENVELOPE',
          },
        },
      }),
    );
    expect(masked.pause).toEqual({
      server: 'custom',
      since: '2025-01-01T00:00:00.000Z',
      nextAttemptAt: '2025-01-01T00:05:00.000Z',
      failures: 3,
      reason: 'The server refused the sender m***@tenant.example (550 5.7.60).',
      reply: {
        responseCode: 550,
        response: '5.7.60 m***@tenant.example may not send',
        code: 'EENVELOPE',
      },
    });
    expect(masked.hourly).toEqual(hourly);
    expect(masked.singleMessages).toEqual(singleMessages);
  });

  it('adds no pause where there is none', () => {
    expect(maskDeliverySummary(summaryWith({}))).not.toHaveProperty('pause');
  });
});
