import { findSettingKey } from '@elixeum/plugin-mailer-common';
import {
  AuditorService,
  AuditorServiceCreateEventOptions,
  AuditorServiceEvent,
  coreServices,
  createServiceFactory,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { IncomingMessage, Server, ServerResponse } from 'node:http';

/** One audit event as the plugin recorded it. */
export interface CapturedAuditEvent {
  eventId: string;
  status: 'initiated' | 'succeeded' | 'failed';
  severityLevel?: string;
  actor?: string;
  meta?: JsonObject;
  error?: string;
}

/** Everything a test backend said: log lines, audit events and HTTP bodies, as raw text. */
export class CapturedOutput {
  readonly logLines: string[] = [];
  readonly auditEvents: CapturedAuditEvent[] = [];
  readonly responses: Array<{
    method?: string;
    url?: string;
    status: number;
    body: string;
  }> = [];
  /** Values sent as secrets in request bodies (e.g. `SMTP.Password`). */
  readonly sentSecrets = new Set<string>();

  /** Every captured text, for a search of secrets. */
  texts(): string[] {
    return [
      ...this.logLines,
      ...this.auditEvents.map(e => JSON.stringify(e)),
      ...this.responses.map(r => r.body),
    ];
  }

  clear(): void {
    this.logLines.length = 0;
    this.auditEvents.length = 0;
    this.responses.length = 0;
    this.sentSecrets.clear();
  }
}

/** JSON with errors spelled out, as a real log transport writes them. */
function toText(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v instanceof Error
      ? { ...v, name: v.name, message: v.message, stack: v.stack }
      : v,
  );
}

class CapturingLogger implements LoggerService {
  constructor(
    private readonly output: CapturedOutput,
    private readonly fields: JsonObject,
  ) {}

  error(message: string, meta?: Error | JsonObject) {
    this.log('error', message, meta);
  }
  warn(message: string, meta?: Error | JsonObject) {
    this.log('warn', message, meta);
  }
  info(message: string, meta?: Error | JsonObject) {
    this.log('info', message, meta);
  }
  debug(message: string, meta?: Error | JsonObject) {
    this.log('debug', message, meta);
  }
  child(meta: JsonObject): LoggerService {
    return new CapturingLogger(this.output, { ...this.fields, ...meta });
  }

  private log(level: string, message: string, meta?: Error | JsonObject) {
    this.output.logLines.push(
      `${level} ${message} ${toText({ ...this.fields, meta })}`,
    );
  }
}

class CapturingAuditor implements AuditorService {
  constructor(
    private readonly output: CapturedOutput,
    private readonly httpAuth: HttpAuthService,
  ) {}

  async createEvent(
    options: AuditorServiceCreateEventOptions,
  ): Promise<AuditorServiceEvent> {
    const { eventId, severityLevel, request, meta } = options;
    let actor: string | undefined;
    if (request) {
      const { principal } = await this.httpAuth.credentials(request);
      const { userEntityRef, subject } = principal as {
        userEntityRef?: string;
        subject?: string;
      };
      actor = userEntityRef ?? subject;
    }
    const record = (event: Partial<CapturedAuditEvent>) => {
      this.output.auditEvents.push({
        eventId,
        severityLevel,
        actor,
        meta,
        status: 'initiated',
        ...event,
      });
    };
    record({});
    return {
      success: async (params?: { meta?: JsonObject }) =>
        record({ status: 'succeeded', meta: { ...meta, ...params?.meta } }),
      fail: async (params: { meta?: JsonObject; error: Error }) =>
        record({
          status: 'failed',
          meta: { ...meta, ...params.meta },
          error: toText(params.error),
        }),
    };
  }
}

/** Logger and auditor service factories that write into `output`. */
export function capturingServices(output: CapturedOutput) {
  return [
    createServiceFactory({
      service: coreServices.rootLogger,
      deps: {},
      factory: () => new CapturingLogger(output, {}),
    }),
    createServiceFactory({
      service: coreServices.auditor,
      deps: { httpAuth: coreServices.httpAuth },
      factory: ({ httpAuth }) => new CapturingAuditor(output, httpAuth),
    }),
  ];
}

function learnSecrets(output: CapturedOutput, body: Buffer) {
  try {
    const values = JSON.parse(body.toString('utf8'))?.values ?? {};
    for (const [key, value] of Object.entries(values)) {
      // Every secret key: the password, client secrets, keys, refresh tokens;
      // short ones too (see findLeaks).
      if (
        findSettingKey(key)?.secret &&
        typeof value === 'string' &&
        value !== ''
      ) {
        output.sentSecrets.add(value);
      }
    }
  } catch {
    // Not JSON: nothing to learn.
  }
}

/**
 * Records every response body the server sends, and the
 * secrets in every request body, without changing how either flows.
 */
export function captureHttp(server: Server, output: CapturedOutput): void {
  server.prependListener(
    'request',
    (req: IncomingMessage, res: ServerResponse) => {
      const received: Buffer[] = [];
      const emit = req.emit;
      // Teeing `emit` sees the body as it is read, without adding a reader of our own.
      req.emit = function tee(
        this: IncomingMessage,
        event: string,
        ...args: any[]
      ) {
        if (event === 'data') received.push(Buffer.from(args[0]));
        if (event === 'end') learnSecrets(output, Buffer.concat(received));
        return emit.call(this, event, ...args);
      } as typeof req.emit;

      const sent: Buffer[] = [];
      const write = res.write;
      const end = res.end;
      const keep = (chunk: unknown, encoding?: unknown) => {
        if (
          chunk === undefined ||
          chunk === null ||
          typeof chunk === 'function'
        )
          return;
        sent.push(
          Buffer.isBuffer(chunk)
            ? chunk
            : Buffer.from(
                chunk as string,
                typeof encoding === 'string'
                  ? (encoding as BufferEncoding)
                  : 'utf8',
              ),
        );
      };
      res.write = function capturedWrite(this: ServerResponse, ...args: any[]) {
        keep(args[0], args[1]);
        return (write as any).apply(this, args);
      } as typeof res.write;
      res.end = function capturedEnd(this: ServerResponse, ...args: any[]) {
        keep(args[0], args[1]);
        return (end as any).apply(this, args);
      } as typeof res.end;
      res.once('finish', () =>
        output.responses.push({
          method: req.method,
          url: req.url,
          status: res.statusCode,
          // startTestBackend's router has no compression middleware: plain text.
          body: Buffer.concat(sent).toString('utf8'),
        }),
      );
    },
  );
}

/** Secrets shorter than this are only found as a whole word (see `findLeaks`). */
export const SHORT_SECRET_LENGTH = 8;

const escapeRegExp = (text: string) =>
  text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether `text` contains `secret`. A short secret is looked for as a whole
 * word (not inside a longer run of letters and digits), in the text and in
 * its JSON-escaped form: a password such as `Pw7$` is found in a log line,
 * while a test's throwaway `42` is not found in every "420 ms".
 */
function contains(text: string, secret: string): boolean {
  if (secret.length >= SHORT_SECRET_LENGTH) return text.includes(secret);
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1)]);
  return [...forms].some(form =>
    new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(form)}(?![A-Za-z0-9])`).test(
      text,
    ),
  );
}

/**
 * The secrets found in any captured text: each as where it was found and a
 * short description (never the secret itself, so a failure does not repeat it).
 */
export function findLeaks(
  texts: string[],
  secrets: Map<string, string>,
): string[] {
  const leaks: string[] = [];
  texts.forEach((text, index) => {
    for (const [secret, what] of secrets) {
      if (secret !== '' && contains(text, secret))
        leaks.push(`${what} in captured text #${index}`);
    }
  });
  return leaks;
}
