import { wasMeasured } from '../runSender';
import { textTable } from '../textTable';
import { DeliveryRow } from './deliveryRuns';

const ratio = (value: number | undefined) =>
  value === undefined ? '-' : `${value.toFixed(2)}x`;

function cells(row: DeliveryRow): string[] {
  const { run, result } = row;
  if (!wasMeasured(result)) {
    return [run.engine, run.label, `not run: ${result.notRun}`];
  }
  return [
    run.engine,
    run.label,
    result.messagesPerSecond?.toFixed(0) ?? '-',
    result.runs?.map(rate => rate.toFixed(0)).join(' / ') ?? '-',
    ratio(row.vsSameCap),
    ratio(row.vsFiveConnections),
    String(result.sent),
    String(result.lost),
    String(result.duplicates),
    result.cpuMsPerMessage.toFixed(2),
    String(result.connectionsOpened),
    String(result.peakOpenConnections),
    result.handOverSeconds.toFixed(1),
    result.seconds === undefined ? '-' : result.seconds.toFixed(1),
  ];
}

/**
 * One row per run kind and engine (medians over rounds; lost and duplicates
 * summed over rounds), then a line for each run that failed or stopped
 * waiting.
 */
export function formatDeliveryRows(rows: DeliveryRow[]): string {
  const measured = rows.filter(row => wasMeasured(row.result));
  const lines = [
    textTable(
      [
        { title: 'engine', left: true },
        { title: 'run', left: true },
        { title: 'msg/s' },
        { title: 'rounds' },
        { title: 'vs 1 tenant, same cap' },
        { title: 'vs 1 tenant, 5 conn.' },
        { title: 'sent' },
        { title: 'lost' },
        { title: 'duplicates' },
        { title: 'CPU ms/msg' },
        { title: 'connections' },
        { title: 'peak open' },
        { title: 'queued s' },
        { title: 'seconds' },
      ],
      measured.map(cells),
    ),
  ];
  for (const { run, result } of rows) {
    const name = `${run.engine}, ${run.label}`;
    if (!wasMeasured(result)) {
      lines.push(`${name}: not run: ${result.notRun}`);
      continue;
    }
    if (result.error) lines.push(`${name}: failed: ${result.error}`);
    if (result.waitOutcome !== 'all received') {
      lines.push(`${name}: stopped waiting (${result.waitOutcome})`);
    }
    if (result.loginsRefused > 0) {
      lines.push(`${name}: ${result.loginsRefused} logins refused`);
    }
  }
  return lines.join('\n');
}
