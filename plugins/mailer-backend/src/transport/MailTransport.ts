import type { Readable } from 'node:stream';
import type { SmtpServerSettings } from '../smtp/SmtpServerSettings';

/** The sender and the recipients of one SMTP transaction. */
export interface SmtpEnvelope {
  from: string;
  to: string[];
}

/** One recipient the server refused, with its reply. */
export interface SmtpRecipientRefusal {
  recipient: string;
  responseCode?: number;
  response?: string;
}

/** What the server said to a message it accepted (for some recipients at least). */
export interface SmtpSendResult {
  accepted: string[];
  refused: SmtpRecipientRefusal[];
  /** The server's reply to the message data, e.g. `250 2.0.0 OK queued as …`. */
  response?: string;
}

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
  /** Connections it holds open, for the metrics; Graph keeps none of its own. */
  readonly openConnections?: number;
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
