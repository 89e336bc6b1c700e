import type { Readable } from 'node:stream';
import type { SmtpEnvelope, SmtpSendResult } from './SmtpConnectionPool';
import type { SmtpServerSettings } from './SmtpServerSettings';

/**
 * How a lane hands messages to a server: a pool of SMTP connections, or the
 * Microsoft Graph API. Failures reject with `SmtpAttemptError`, saying at
 * which stage they happened.
 */
export interface MailTransport {
  readonly server: SmtpServerSettings;
  /** Whether another message may be sent now. */
  readonly hasRoom: boolean;
  /** Messages being sent right now. */
  readonly busy: number;
  /** Whether the message must carry its Bcc header (Graph reads recipients from headers). */
  readonly needsBccHeader: boolean;
  send(
    envelope: SmtpEnvelope,
    message: () => Readable | Buffer | string,
  ): Promise<SmtpSendResult>;
  /** Checks that the server takes the credentials, sending nothing. */
  verify(): Promise<void>;
  /** Finishes what is in flight, then lets go of the server. */
  close(): void;
  /** Lets go at once. */
  destroy(): void;
}
