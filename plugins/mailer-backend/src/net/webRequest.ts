import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { LookupFunction } from 'node:net';
import { AddressResolver } from './addressResolver';
import { trustedContext } from './trustedContexts';
import { withDeadline } from './withDeadline';

/** An HTTP answer, read whole (token endpoints and Graph answer briefly). */
export interface WebResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** How to reach an endpoint. */
export interface WebRequestOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /**
   * Resolves the host once, checking it (the server policy, for endpoints a
   * tenant names); the connection goes to the address it returns.
   */
  resolve?: AddressResolver;
  /** PEM certificates to trust in addition to the public roots. */
  extraCaCertificates?: readonly string[];
  /**
   * How long the whole exchange may take: resolving, connecting, TLS,
   * sending (plus a second per 100 kB sent) and the complete answer.
   */
  timeoutMs: number;
}

/** The most an answer may hold; a token or an error is a few kilobytes. */
const MAX_BODY = 1024 * 1024;
/**
 * The slowest upload the deadline allows for: a Graph message of 33 MB
 * (25 MB in base64) gets 5.5 minutes more, a token request nothing to speak of.
 */
const MIN_UPLOAD_BYTES_PER_MS = 100;

function pinnedLookup(resolve: AddressResolver, port: number): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, port).then(
      ({ address, family }) => {
        // Node asks for every address when it may try several families.
        if ((options as { all?: boolean }).all) {
          (callback as any)(null, [{ address, family }]);
        } else {
          callback(null, address, family);
        }
      },
      error => callback(error, '', 4),
    );
  };
}

/**
 * One HTTP(S) request: no redirects followed (a token endpoint that
 * redirects elsewhere is not followed there), a deadline for the whole
 * exchange (not an idle timeout: a server that drips a byte a second is
 * given up on all the same), and the answer read up to a size limit.
 */
export function webRequest(
  url: URL,
  options: WebRequestOptions,
): Promise<WebResponse> {
  const bodyBytes =
    options.body === undefined ? 0 : Buffer.byteLength(options.body);
  const deadlineMs =
    options.timeoutMs + Math.ceil(bodyBytes / MIN_UPLOAD_BYTES_PER_MS);
  const abort = new AbortController();
  return withDeadline(exchange(url, options, abort.signal), deadlineMs, () => {
    abort.abort();
    return Object.assign(
      new Error(`No complete answer from ${url.host} within ${deadlineMs} ms`),
      { code: 'ETIMEDOUT' },
    );
  });
}

function exchange(
  url: URL,
  options: WebRequestOptions,
  signal: AbortSignal,
): Promise<WebResponse> {
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const extra = options.extraCaCertificates ?? [];
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: options.method,
        headers: {
          ...options.headers,
          ...(options.body !== undefined && {
            'Content-Length': String(Buffer.byteLength(options.body)),
          }),
        },
        ...(options.resolve && { lookup: pinnedLookup(options.resolve, port) }),
        ...(secure &&
          extra.length > 0 && { secureContext: trustedContext(extra) }),
        signal,
      },
      response => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) {
            request.destroy(new Error('The answer was too large'));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}
