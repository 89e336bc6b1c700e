import type { Readable } from 'node:stream';
import { webRequest, WebResponse } from '../net/webRequest';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import {
  MailTransport,
  SmtpEnvelope,
  SmtpSendResult,
} from '../transport/MailTransport';
import {
  SmtpAttemptError,
  SmtpErrorFields,
} from '../transport/SmtpAttemptError';

/** How the Graph transport reaches Graph. */
export interface GraphTransportOptions {
  /** e.g. https://graph.microsoft.com (operator config). */
  baseUrl: string;
  /** Requests at once; Graph throttles a mailbox beyond a few. */
  maxConcurrent: number;
  /** Graph access tokens (scope https://graph.microsoft.com/.default); `renew` with the refused one. */
  accessToken: (renew: boolean, refused?: string) => Promise<string>;
  extraCaCertificates: readonly string[];
  timeoutMs: number;
}

function streamToBuffer(message: Readable | Buffer | string): Promise<Buffer> {
  if (typeof message === 'string') return Promise.resolve(Buffer.from(message));
  if (Buffer.isBuffer(message)) return Promise.resolve(message);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    message.on('end', () => resolve(Buffer.concat(chunks)));
    message.on('error', reject);
  });
}

/** Graph's error body: { error: { code, message } }. */
function graphError(response: WebResponse): {
  code?: string;
  message?: string;
} {
  try {
    const { error } = JSON.parse(response.body);
    return {
      code: typeof error?.code === 'string' ? error.code : undefined,
      message:
        typeof error?.message === 'string'
          ? error.message.slice(0, 500)
          : undefined,
    };
  } catch {
    return {};
  }
}

/** Retry-After in seconds or, as HTTP allows, as a date (RFC 9110 §10.2.3). */
function retryAfterMs(response: WebResponse): number | undefined {
  const header = response.headers['retry-after'];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Sends through Microsoft Graph (`POST /users/{mailbox}/sendMail`, the
 * message as base64 MIME built by nodemailer's composer, so headers,
 * attachments and personalisation are the same as over SMTP). What Graph
 * answers is told in SMTP's terms, so delivery treats both alike: refused
 * credentials, a missing permission and throttling pause the lane; a
 * message Graph cannot take fails by itself.
 */
export class GraphTransport implements MailTransport {
  readonly needsBccHeader = true;
  private sending = 0;
  private closed = false;

  constructor(
    readonly server: SmtpServerSettings,
    private readonly options: GraphTransportOptions,
  ) {}

  get hasRoom(): boolean {
    return !this.closed && this.sending < this.options.maxConcurrent;
  }

  get busy(): number {
    return this.sending;
  }

  async send(
    envelope: SmtpEnvelope,
    message: () => Readable | Buffer | string,
  ): Promise<SmtpSendResult> {
    this.sending += 1;
    try {
      const mime = await streamToBuffer(message());
      const response = await this.post(mime.toString('base64'));
      return {
        accepted: envelope.to,
        refused: [],
        response: `${response.status} Accepted by Microsoft Graph`,
      };
    } finally {
      this.sending -= 1;
    }
  }

  /** Graph has nothing to log in to: a token for the app is what there is to check. */
  async verify(): Promise<void> {
    try {
      await this.options.accessToken(false);
    } catch (error) {
      throw new SmtpAttemptError('connect', error as Error);
    }
  }

  close(): void {
    this.closed = true;
  }

  destroy(): void {
    this.closed = true;
  }

  private async post(body: string, refused?: string): Promise<WebResponse> {
    let token: string;
    try {
      token = await this.options.accessToken(refused !== undefined, refused);
    } catch (error) {
      throw new SmtpAttemptError('connect', error as Error);
    }
    const mailbox = encodeURIComponent(this.server.auth?.user ?? '');
    let response: WebResponse;
    try {
      response = await webRequest(
        new URL(`${this.options.baseUrl}/v1.0/users/${mailbox}/sendMail`),
        {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'text/plain',
          },
          body,
          extraCaCertificates: this.options.extraCaCertificates,
          timeoutMs: this.options.timeoutMs,
        },
      );
    } catch (error) {
      throw new SmtpAttemptError(
        'connect',
        Object.assign(new Error((error as Error).message), {
          code: (error as { code?: string }).code ?? 'ECONNECTION',
        }),
      );
    }
    if (response.status === 202 || response.status === 200) return response;
    // A token Graph no longer takes: one more try with a fresh one.
    if (response.status === 401 && refused === undefined) {
      return this.post(body, token);
    }
    throw this.failure(response);
  }

  /** Graph's answer as an SMTP-like failure: a reply code delivery understands. */
  private failure(response: WebResponse): SmtpAttemptError {
    const { code, message } = graphError(response);
    const status = response.status;
    const reply = `Microsoft Graph ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
    const fields: Error & SmtpErrorFields = Object.assign(new Error(reply), {
      code: 'EGRAPH',
      response: `${status >= 500 || status === 429 ? 451 : 550} ${reply}`,
      responseCode: status >= 500 || status === 429 ? 451 : 550,
      retryAfterMs: retryAfterMs(response),
    });
    // Credentials, permissions and throttling concern the mailbox, not the
    // message: the lane pauses (throttling for as long as Graph asks).
    const aboutTheMailbox = [401, 403, 404, 429, 503, 504].includes(status);
    return new SmtpAttemptError(
      aboutTheMailbox ? 'connect' : 'message',
      fields,
    );
  }
}
