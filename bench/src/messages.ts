/** One benchmark message. Every sender gets the same list. */
export interface BenchMessage {
  /** 0 … N-1; the server counts messages by it, so loss and duplicates show. */
  seq: number;
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  /** Includes `X-Bench-Seq`. */
  headers: Record<string, string>;
}

export const BENCH_SEQ_HEADER = 'X-Bench-Seq';

/**
 * The subject carries the sequence number too (`Bench message 42`), for a
 * sender that cannot set headers of its own (e.g. a template with `{{seq}}`).
 */
export const BENCH_SUBJECT_PATTERN = /^Bench message (\d+)$/;

export function benchSubject(seq: number): string {
  return `Bench message ${seq}`;
}

/**
 * A broadcast to every recipient carries one subject (`Bench broadcast 200`):
 * its message to recipient `i` counts as message 200 + i.
 */
export const BENCH_BROADCAST_PATTERN = /^Bench broadcast (\d+)$/;

export function broadcastSubject(firstSeq: number): string {
  return `Bench broadcast ${firstSeq}`;
}

/** The index of a bench recipient's address, or undefined for another address. */
export function recipientIndex(address: string): number | undefined {
  const match = /^recipient-(\d+)@example\.com$/.exec(address);
  return match ? Number(match[1]) : undefined;
}

// About 1 KB of plain text: the size of a typical notification email.
const BODY = Array.from(
  { length: 12 },
  (_, line) =>
    `Line ${line + 1}: this is a benchmark message with a body of ordinary text.`,
).join('\n');

/** Messages go to this many distinct recipients, in turn. */
export const RECIPIENT_COUNT = 100;

/** The address of recipient `index` (0 … RECIPIENT_COUNT-1). */
export function recipientAddress(index: number): string {
  return `recipient-${index}@example.com`;
}

export function createMessages(count: number): BenchMessage[] {
  return Array.from({ length: count }, (_, seq) => ({
    seq,
    messageId: `<bench-${seq}@bench.example.com>`,
    from: 'Bench <bench@example.com>',
    to: recipientAddress(seq % RECIPIENT_COUNT),
    subject: benchSubject(seq),
    text: `Hello recipient ${seq},\n\n${BODY}\n`,
    headers: { [BENCH_SEQ_HEADER]: String(seq) },
  }));
}
