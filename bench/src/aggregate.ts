import { Measured, SenderResult, wasMeasured } from './runSender';

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The value below which `fraction` of the values lie (nearest rank), e.g. 0.9 for p90. */
export function percentile(
  values: number[],
  fraction: number,
): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** One sender's runs summed up: what the table shows. */
export type AggregatedResult = SenderResult & {
  /** Messages per second of each run, in run order. */
  runs?: number[];
  /**
   * The median over the rounds of (this sender's rate / the best baseline's
   * rate in the same round): a machine whose speed drifts between rounds
   * moves both alike.
   */
  ratio?: number;
};

/** The median, over rounds, of each sender's rate relative to the best baseline of that round. */
export function medianRatios(
  rounds: Map<string, SenderResult>[],
): Map<string, number> {
  const ratios = new Map<string, number[]>();
  for (const round of rounds) {
    const best = Math.max(
      0,
      ...[...round.values()]
        .filter(wasMeasured)
        .filter(r => r.baseline)
        .map(r => r.messagesPerSecond ?? 0),
    );
    if (best === 0) continue;
    for (const [id, result] of round) {
      if (!wasMeasured(result) || !result.messagesPerSecond) continue;
      ratios.set(id, [
        ...(ratios.get(id) ?? []),
        result.messagesPerSecond / best,
      ]);
    }
  }
  return new Map([...ratios].map(([id, values]) => [id, median(values) ?? 0]));
}

/**
 * Folds the repeated runs of one sender into one row: the median rate and
 * duration, the worst memory and connection figures, and every message
 * lost or duplicated in any run.
 */
export function aggregate(results: SenderResult[]): AggregatedResult {
  const measured = results.filter(wasMeasured);
  if (measured.length === 0) return results[0];
  const rates = measured.map(r => r.messagesPerSecond ?? 0);
  const pick = (f: (r: Measured) => number) => Math.max(...measured.map(f));
  const sum = (f: (r: Measured) => number) =>
    measured.reduce((total, r) => total + f(r), 0);
  const first = measured[0];
  return {
    ...first,
    runs: rates,
    messagesPerSecond: median(rates),
    seconds: median(measured.map(r => r.seconds ?? 0)),
    handOverSeconds: median(measured.map(r => r.handOverSeconds)) ?? 0,
    sent: sum(r => r.sent),
    received: sum(r => r.received),
    unique: sum(r => r.unique),
    lost: sum(r => r.lost),
    duplicates: sum(r => r.duplicates),
    peakRssBytes: pick(r => r.peakRssBytes),
    cpuMsPerMessage: median(measured.map(r => r.cpuMsPerMessage)) ?? 0,
    connectionsOpened: pick(r => r.connectionsOpened),
    peakOpenConnections: pick(r => r.peakOpenConnections),
    loginsRefused: sum(r => r.loginsRefused),
    error: measured.find(r => r.error)?.error,
    waitOutcome:
      measured.find(r => r.waitOutcome !== 'all received')?.waitOutcome ??
      'all received',
  };
}
