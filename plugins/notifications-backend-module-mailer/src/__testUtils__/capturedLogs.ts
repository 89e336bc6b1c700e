import {
  coreServices,
  createServiceFactory,
  LoggerService,
  RootLoggerService,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';

/** Every line the test backends logged, as raw text: what a log store would keep. */
export const capturedLogLines: string[] = [];

class CapturingLogger implements RootLoggerService {
  constructor(private readonly fields: JsonObject = {}) {}

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
    return new CapturingLogger({ ...this.fields, ...meta });
  }

  private log(level: string, message: string, meta?: Error | JsonObject) {
    // Errors spelled out, as a real log transport writes them.
    const text = JSON.stringify({ ...this.fields, meta }, (_key, v) =>
      v instanceof Error
        ? { name: v.name, message: v.message, stack: v.stack }
        : v,
    );
    capturedLogLines.push(`${level} ${message} ${text}`);
  }
}

/** The root logger of a test backend, writing into `capturedLogLines`. */
export const capturingRootLogger = createServiceFactory({
  service: coreServices.rootLogger,
  deps: {},
  factory: () => new CapturingLogger(),
});

/** Throws, naming the line but not the secret, when a line holds one of `secrets`. */
export function assertNothingLeaked(
  lines: string[],
  secrets: Iterable<string>,
): void {
  for (const secret of secrets) {
    const at = lines.findIndex(line => line.includes(secret));
    if (at >= 0) {
      throw new Error(`A secret leaked into log line #${at}`);
    }
  }
}
