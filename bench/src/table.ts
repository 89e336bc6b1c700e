import { AggregatedResult } from './aggregate';
import { SenderResult, wasMeasured } from './runSender';

/** The best messages-per-second among the baselines that ran. */
export function bestBaseline(results: SenderResult[]): number | undefined {
  const rates = results
    .filter(wasMeasured)
    .filter(result => result.baseline)
    .map(result => result.messagesPerSecond ?? 0)
    .filter(rate => rate > 0);
  return rates.length > 0 ? Math.max(...rates) : undefined;
}

const COLUMNS = [
  { title: 'sender', left: true },
  { title: 'msg/s' },
  { title: 'runs' },
  { title: 'vs best baseline' },
  { title: 'sent' },
  { title: 'received' },
  { title: 'lost' },
  { title: 'duplicates' },
  { title: 'peak RSS' },
  { title: 'CPU ms/msg' },
  { title: 'connections' },
  { title: 'seconds' },
];

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function row(result: AggregatedResult): string[] {
  if (!wasMeasured(result)) {
    return [result.label, `not run: ${result.notRun}`];
  }
  const rate = result.messagesPerSecond;
  return [
    result.label,
    rate === undefined ? '-' : rate.toFixed(0),
    result.runs?.map(r => r.toFixed(0)).join(' / ') ?? '-',
    result.ratio !== undefined ? `${result.ratio.toFixed(2)}x` : '-',
    String(result.sent),
    String(result.unique),
    String(result.lost),
    String(result.duplicates),
    megabytes(result.peakRssBytes),
    result.cpuMsPerMessage.toFixed(2),
    String(result.connectionsOpened),
    result.seconds === undefined ? '-' : result.seconds.toFixed(1),
  ];
}

/**
 * One row per sender; a "not run" row spans the columns after its name.
 * Below the table, a line for each sender that failed or did not finish.
 */
export function formatTable(results: AggregatedResult[]): string {
  const rows = results.map(result => row(result));
  const widths = COLUMNS.map((column, index) =>
    Math.max(
      column.title.length,
      ...rows
        .filter(cells => cells.length > 2)
        .map(cells => cells[index].length),
    ),
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, index) => {
        if (cells.length <= 2 && index === 1) return cell;
        return COLUMNS[index].left
          ? cell.padEnd(widths[index])
          : cell.padStart(widths[index]);
      })
      .join('  ')
      .trimEnd();
  const lines = [
    format(COLUMNS.map(column => column.title)),
    widths.map(width => '-'.repeat(width)).join('  '),
    ...rows.map(format),
  ];
  for (const result of results.filter(wasMeasured)) {
    if (result.error) lines.push(`${result.label}: failed: ${result.error}`);
    if (result.waitOutcome !== 'all received') {
      lines.push(`${result.label}: stopped waiting (${result.waitOutcome})`);
    }
    if (result.loginsRefused > 0) {
      lines.push(`${result.label}: ${result.loginsRefused} logins refused`);
    }
  }
  return lines.join('\n');
}
