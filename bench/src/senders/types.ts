import { BenchMessage } from '../messages';

/** The loopback SMTP server: STARTTLS and AUTH required, its certificate in `ca`. */
export interface SmtpTarget {
  host: string;
  port: number;
  /** Every port the server child listens on, `port` first: one server each. */
  ports: number[];
  user: string;
  pass: string;
  /** The server's self-signed certificate (PEM): trust exactly this. */
  ca: string;
  /** Its private key, to start the same server again (soak test). */
  key?: string;
}

/**
 * Sends every message to `target`; resolves once all were handed over (for a
 * queueing sender: once all were queued). The runner measures until the
 * server has received the last one.
 *
 * Optional hooks run outside the measured time: `prepare` (e.g. start a
 * backend and migrate its database) and `dispose` (stop it again). When
 * creating the sender or `prepare` throws, the row says "not run: <reason>".
 */
export type Sender = ((
  target: SmtpTarget,
  messages: BenchMessage[],
) => Promise<void>) & {
  prepare?: (target: SmtpTarget) => Promise<void>;
  dispose?: () => Promise<void>;
};
