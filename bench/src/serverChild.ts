/**
 * The SMTP server of the benchmark, in its own process (started by
 * ServerProcess with child_process.fork): STARTTLS required with a fresh
 * self-signed certificate, AUTH required, at most 10 connections. It counts
 * what it receives and reports to the runner over IPC. For the many-tenant
 * bench it listens on many ports, one server per tenant, with one
 * certificate and account and one set of counters for all of them.
 */
import { randomBytes } from 'node:crypto';
import {
  createSelfSignedCertificate,
  ReceivedMessage,
  SmtpTestServer,
} from '@internal/smtp-test-server';
import { epochMs } from './clock';
import {
  BENCH_BROADCAST_PATTERN,
  BENCH_SEQ_HEADER,
  BENCH_SUBJECT_PATTERN,
  recipientIndex,
} from './messages';
import {
  PROGRESS_INTERVAL_MS,
  RunnerMessage,
  ServerCounters,
  ServerIdentity,
  ServerMessage,
  ServerShape,
} from './protocol';

// Given by the runner to start again as the same server; made up otherwise.
const identity: Partial<ServerIdentity> = JSON.parse(
  process.env.BENCH_SERVER_IDENTITY ?? '{}',
);
const USER = identity.user ?? 'bench';
const PASS = identity.pass ?? randomBytes(18).toString('base64url');
const shape: ServerShape = {
  servers: 1,
  maxClients: 10,
  ...JSON.parse(process.env.BENCH_SERVER_SHAPE ?? '{}'),
};

/** What identifies a message, so a second copy counts as a duplicate. */
function messageKey(message: ReceivedMessage): string | undefined {
  const { parsed } = message;
  const seq = parsed.headers.get(BENCH_SEQ_HEADER.toLowerCase());
  if (seq !== undefined) return `seq ${String(seq)}`;
  const fromSubject = BENCH_SUBJECT_PATTERN.exec(parsed.subject ?? '');
  if (fromSubject) return `seq ${fromSubject[1]}`;
  const broadcast = BENCH_BROADCAST_PATTERN.exec(parsed.subject ?? '');
  const index = recipientIndex(message.envelope.rcptTo[0] ?? '');
  if (broadcast && index !== undefined) {
    return `seq ${Number(broadcast[1]) + index}`;
  }
  return parsed.messageId ? `id ${parsed.messageId}` : undefined;
}

function send(message: ServerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  if (!process.send) {
    throw new Error(
      'serverChild is started by the runner, over an IPC channel',
    );
  }
  const seen = new Set<string>();
  const perSeq = new Map<number, number>();
  let received = 0;
  let firstReceivedAt: number | undefined;
  let lastReceivedAt: number | undefined;
  let changed = false;

  const certificate =
    identity.cert && identity.key
      ? { cert: identity.cert, key: identity.key }
      : createSelfSignedCertificate();
  const onMessage = (message: ReceivedMessage) => {
    const now = epochMs();
    received += 1;
    // A message without any id is counted as distinct.
    const key = messageKey(message);
    seen.add(key ?? `anonymous ${received}`);
    const seq = key?.startsWith('seq ') ? Number(key.slice(4)) : undefined;
    if (seq !== undefined) perSeq.set(seq, (perSeq.get(seq) ?? 0) + 1);
    firstReceivedAt ??= now;
    lastReceivedAt = now;
    changed = true;
  };
  // Connections open on all ports at once: each server counts only its own.
  let peakOpen = 0;
  const servers: SmtpTestServer[] = [];
  const sum = (count: (server: SmtpTestServer) => number) =>
    servers.reduce((total, server) => total + count(server), 0);
  const openNow = () => sum(server => server.connections.open);
  const countPeak = () => {
    peakOpen = Math.max(peakOpen, openNow());
    return undefined;
  };
  for (let i = 0; i < shape.servers; i++) {
    servers.push(
      await SmtpTestServer.start({
        port: i === 0 ? identity.port : undefined,
        users: { [USER]: PASS },
        certificate,
        requireTlsForAuth: true,
        maxClients: shape.maxClients,
        // Count here; do not keep the messages themselves.
        keepLast: 0,
        replies: { connect: countPeak },
        onMessage,
      }),
    );
  }

  const counters = (): ServerCounters => ({
    received,
    unique: seen.size,
    duplicates: received - seen.size,
    firstReceivedAt,
    lastReceivedAt,
    connectionsOpened: sum(server => server.connections.opened),
    peakOpenConnections: peakOpen,
    loginsRefused: sum(
      server =>
        server.authAttempts.filter(
          attempt => attempt.username !== USER || attempt.password !== PASS,
        ).length,
    ),
  });

  const reset = () => {
    seen.clear();
    perSeq.clear();
    received = 0;
    firstReceivedAt = undefined;
    lastReceivedAt = undefined;
    changed = false;
    for (const server of servers) {
      server.reset();
      server.connections.opened = 0;
      server.connections.peak = server.connections.open;
    }
    peakOpen = openNow();
  };

  // Batched progress: a few IPC messages a second, however fast mail arrives.
  setInterval(() => {
    if (!changed) return;
    changed = false;
    send({ type: 'progress', counters: counters() });
  }, PROGRESS_INTERVAL_MS);

  process.on('message', async (message: RunnerMessage) => {
    if (message.type === 'reset') reset();
    if (message.type === 'close') {
      await Promise.all(servers.map(server => server.close()));
    }
    send({
      type: 'reply',
      id: message.id,
      counters: counters(),
      ...((message.type === 'seqs' || message.type === 'close') && {
        seqs: [...perSeq],
      }),
    });
  });
  // The runner is gone (even if it crashed): do not linger.
  process.on('disconnect', () => process.exit(0));

  send({
    type: 'ready',
    target: {
      host: servers[0].host,
      port: servers[0].port,
      ports: servers.map(server => server.port),
      user: USER,
      pass: PASS,
      ca: certificate.cert,
      key: certificate.key,
    },
  });
}

main().catch(error => {
  // eslint-disable-next-line no-console
  console.error('bench server child failed:', error);
  process.exit(1);
});
