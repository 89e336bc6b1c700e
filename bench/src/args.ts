import { senderEntries } from './senders';

export interface BenchArgs {
  messages: number;
  /** Sender ids, in run order. */
  senders: string[];
  graceMs: number;
  timeoutMs: number;
  /** Rounds of all senders; the table shows each sender's median. */
  repeat: number;
  /** Messages sent (and not measured) before the first round. */
  warmup: number;
}

export const USAGE = `Usage: yarn bench [--messages N] [--senders a,b] [--repeat R] [--warmup W] [--grace-ms MS] [--timeout-s S]

  --messages N    messages per sender and run (default 5000)
  --repeat R      rounds of every sender in turn; medians are shown (default 3)
  --warmup W      messages sent to warm the server up first (default 500)
  --senders a,b   which senders to run, by id or number (default: all)
                  ${senderEntries.map((entry, i) => `${i + 1}=${entry.id}`).join(', ')}
  --grace-ms MS   after a sender resolved, stop waiting when nothing arrived
                  for this long (default 5000)
  --timeout-s S   the most one sender may take (default 600)`;

function positiveInteger(name: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new Error(`${name} needs a positive whole number, got ${value}`);
  }
  return number;
}

function senderIds(value: string | undefined): string[] {
  if (!value) throw new Error('--senders needs a list, e.g. 1,2');
  return value.split(',').map(name => {
    const trimmed = name.trim();
    const entry =
      senderEntries.find(candidate => candidate.id === trimmed) ??
      senderEntries[Number(trimmed) - 1];
    if (!entry) throw new Error(`Unknown sender: ${trimmed}`);
    return entry.id;
  });
}

/** Parses `--name value` and `--name=value`; throws with a message on anything else. */
export function parseArgs(argv: string[]): BenchArgs | 'help' {
  const args: BenchArgs = {
    messages: 5000,
    senders: senderEntries.map(entry => entry.id),
    graceMs: 5000,
    timeoutMs: 600_000,
    repeat: 3,
    warmup: 500,
  };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (name) {
      case '--help':
      case '-h':
        return 'help';
      case '--messages':
        args.messages = positiveInteger(name, value());
        break;
      case '--senders':
        args.senders = senderIds(value());
        break;
      case '--repeat':
        args.repeat = positiveInteger(name, value());
        break;
      case '--warmup':
        args.warmup = positiveInteger(name, value());
        break;
      case '--grace-ms':
        args.graceMs = positiveInteger(name, value());
        break;
      case '--timeout-s':
        args.timeoutMs = positiveInteger(name, value()) * 1000;
        break;
      default:
        throw new Error(`Unknown argument: ${argv[i]}`);
    }
  }
  return args;
}
