import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { AddressResolver } from './addressResolver';

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
  timeoutMs: number;
}

/** The most an answer may hold; a token or an error is a few kilobytes. */
const MAX_BODY = 1024 * 1024;

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
 * redirects elsewhere is not followed there), a time limit for the whole
 * exchange, and the answer read up to a size limit.
 */
export function webRequest(
  url: URL,
  options: WebRequestOptions,
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
          extra.length > 0 && { ca: [...rootCertificates, ...extra] }),
        timeout: options.timeoutMs,
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
    request.on('timeout', () =>
      request.destroy(
        Object.assign(new Error(`No answer from ${url.host} in time`), {
          code: 'ETIMEDOUT',
        }),
      ),
    );
    request.on('error', reject);
    request.end(options.body);
  });
}
