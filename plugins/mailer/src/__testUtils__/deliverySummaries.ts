import {
  DeliveryState,
  DeliverySummary,
  HourlyDelivery,
} from '@elixeum/plugin-mailer-common';

/** Counts with every state at 0 but those given. */
export function counts(
  some: Partial<Record<DeliveryState, number>> = {},
): Record<DeliveryState, number> {
  return {
    queued: 0,
    sending: 0,
    retrying: 0,
    sent: 0,
    partial: 0,
    failed: 0,
    suppressed: 0,
    ...some,
  };
}

/** 24 hours ending with the hour of `now`, with the counts given by hours back (0 is the current hour). */
export function hours(
  busy: Record<number, Partial<Omit<HourlyDelivery, 'hour'>>> = {},
  now = Date.parse('2025-03-04T09:45:00.000Z'),
): HourlyDelivery[] {
  const hour = 3_600_000;
  const current = now - (now % hour);
  return Array.from({ length: 24 }, (_, i) => {
    const back = 23 - i;
    return {
      hour: new Date(current - back * hour).toISOString(),
      sent: 0,
      failed: 0,
      ...busy[back],
    };
  });
}

/** A summary with no mail in it, but what `extra` adds. */
export function deliverySummary(
  extra: Partial<DeliverySummary> = {},
): DeliverySummary {
  return {
    campaigns: [],
    singleMessages: { since: '2025-03-03T09:45:00.000Z', counts: counts() },
    hourly: hours(),
    recentFailures: [],
    ...extra,
  };
}
