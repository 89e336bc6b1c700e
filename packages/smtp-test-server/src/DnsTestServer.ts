import DNS from 'dns2';
import { AddressInfo, Socket } from 'node:net';

/**
 * The records of one name. A TXT record is one string (split into
 * 255-byte character strings as DNS requires) or its character strings.
 */
export interface DnsTestRecords {
  TXT?: Array<string | string[]>;
  CNAME?: string;
  A?: string[];
  MX?: Array<{ exchange: string; priority: number }>;
}

/**
 * What the server knows: records by name (lower case, no trailing dot), or
 * `'no-answer'` for a name whose queries it never answers (a DNS that
 * times out). Every other name does not exist (NXDOMAIN).
 */
export type DnsTestZone = Record<string, DnsTestRecords | 'no-answer'>;

/** One question the server received. */
export interface DnsTestQuery {
  name: string;
  type: string;
}

const { Packet } = DNS;
const NXDOMAIN = 3;
const TYPE_NAMES = new Map<number, string>(
  Object.entries(Packet.TYPE).map(([name, value]) => [value as number, name]),
);

/** A TXT record's character strings, none longer than DNS allows. */
function characterStrings(record: string | string[]): string[] {
  const strings = Array.isArray(record) ? record : [record];
  return strings.flatMap(s => {
    const parts: string[] = [];
    for (let at = 0; at < s.length; at += 255)
      parts.push(s.slice(at, at + 255));
    return parts.length > 0 ? parts : [''];
  });
}

/**
 * A real DNS server on loopback (the `dns2` package), over UDP and TCP on
 * one port, for resolvers that tests point at it by configuration. Answers
 * as a recursive resolver would: a CNAME is followed within its answer.
 */
export class DnsTestServer {
  /** Every question asked, in order. */
  readonly queries: DnsTestQuery[] = [];
  private readonly sockets = new Set<Socket>();
  private udp?: DNS.UDPServer;
  private tcp?: DNS.TCPServer;
  private port = 0;

  private constructor(private zone: DnsTestZone) {}

  static async start(zone: DnsTestZone): Promise<DnsTestServer> {
    const server = new DnsTestServer(zone);
    await server.listen();
    return server;
  }

  /** `127.0.0.1:<port>`, as a resolver's server list takes it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Replaces the records, e.g. once a test has "published" one. */
  setZone(zone: DnsTestZone): void {
    this.zone = zone;
  }

  /** The questions asked about `name` (any type). */
  queriesFor(name: string): DnsTestQuery[] {
    return this.queries.filter(q => q.name === name.toLowerCase());
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([
      new Promise<void>(resolve =>
        this.udp ? this.udp.close(() => resolve()) : resolve(),
      ),
      new Promise<void>(resolve =>
        this.tcp ? this.tcp.close(() => resolve()) : resolve(),
      ),
    ]);
  }

  private async listen(): Promise<void> {
    const handle: DNS.DnsHandler = (request, send) => {
      const response = this.answer(request);
      if (response) void send(response).catch(() => undefined);
    };
    // TCP on the UDP port: resolvers retry a truncated answer over TCP there.
    for (let attempt = 0; ; attempt++) {
      const udp = DNS.createUDPServer(handle);
      await udp.listen(0, '127.0.0.1');
      const port = (udp.address() as AddressInfo).port;
      const tcp = DNS.createTCPServer(handle);
      tcp.on('connection', socket => {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
      });
      const listening = await new Promise<boolean>(resolve => {
        tcp.once('error', () => resolve(false));
        tcp.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (listening) {
        Object.assign(this, { udp, tcp, port });
        return;
      }
      udp.close();
      if (attempt >= 5) throw new Error('No free port for the DNS test server');
    }
  }

  /** The response to a request, or undefined for a name that never answers. */
  private answer(request: DNS.Packet): DNS.Packet | undefined {
    const response = Packet.createResponseFromRequest(request);
    for (const question of request.questions) {
      const name = question.name.toLowerCase().replace(/\.$/, '');
      const type = TYPE_NAMES.get(question.type) ?? String(question.type);
      this.queries.push({ name, type });
      const found = this.zone[name];
      if (found === 'no-answer') return undefined;
      if (!found) {
        response.header.rcode = NXDOMAIN;
        continue;
      }
      this.addRecords(response, name, type, found, 0);
    }
    return response;
  }

  private addRecords(
    response: DNS.Packet,
    name: string,
    type: string,
    records: DnsTestRecords,
    depth: number,
  ): void {
    const base = { name, class: Packet.CLASS.IN, ttl: 60 };
    if (records.CNAME && type !== 'CNAME') {
      response.answers.push({
        ...base,
        type: Packet.TYPE.CNAME,
        domain: records.CNAME,
      } as DNS.Packet.Resource);
      const target = records.CNAME.toLowerCase();
      const next = this.zone[target];
      if (next && next !== 'no-answer' && depth < 8) {
        this.addRecords(response, target, type, next, depth + 1);
      }
      return;
    }
    const add = (resource: object) =>
      response.answers.push({ ...base, ...resource } as DNS.Packet.Resource);
    if (type === 'TXT') {
      for (const txt of records.TXT ?? []) {
        add({ type: Packet.TYPE.TXT, data: characterStrings(txt) });
      }
    } else if (type === 'CNAME' && records.CNAME) {
      add({ type: Packet.TYPE.CNAME, domain: records.CNAME });
    } else if (type === 'A') {
      for (const address of records.A ?? []) {
        add({ type: Packet.TYPE.A, address });
      }
    } else if (type === 'MX') {
      for (const mx of records.MX ?? []) {
        add({ type: Packet.TYPE.MX, ...mx });
      }
    }
  }
}
