import type { Readable } from 'node:stream';
import { DkimSigner } from '../dkim/DkimSigner';
import { MailTransport, SmtpEnvelope, SmtpSendResult } from './MailTransport';
import { SmtpAttemptError } from './SmtpAttemptError';

/**
 * A transport whose messages are DKIM-signed before they go, the same for
 * SMTP and Microsoft Graph (which is handed the signed MIME). A message
 * that cannot be signed is not sent: the attempt fails before the server
 * is reached, as a failure of the server's own would (stage `connect`), so
 * the lane pauses with the reason rather than failing message after
 * message. A message being signed counts as being sent, so the lane never
 * starts more than `maxConcurrent` at once.
 */
export class SigningTransport implements MailTransport {
  private signing = 0;
  private closeWhenSigned = false;

  constructor(
    private readonly inner: MailTransport,
    private readonly signer: DkimSigner,
    private readonly maxConcurrent: number,
  ) {}

  get server() {
    return this.inner.server;
  }

  get hasRoom(): boolean {
    return (
      !this.closeWhenSigned &&
      this.inner.hasRoom &&
      this.busy < this.maxConcurrent
    );
  }

  get busy(): number {
    return this.inner.busy + this.signing;
  }

  get needsBccHeader(): boolean {
    return this.inner.needsBccHeader;
  }

  get openConnections(): number | undefined {
    return this.inner.openConnections;
  }

  async send(
    envelope: SmtpEnvelope,
    message: () => Readable | Buffer | string,
  ): Promise<SmtpSendResult> {
    let sending: Promise<SmtpSendResult>;
    this.signing += 1;
    try {
      const signed = await this.signer.sign(message());
      // Started (and counted by the inner transport) before a pending close.
      sending = this.inner.send(envelope, () => signed);
    } catch (error) {
      sending = Promise.reject(notSigned(error));
    } finally {
      this.signing -= 1;
      if (this.closeWhenSigned && this.signing === 0) this.inner.close();
    }
    return sending;
  }

  verify(): Promise<void> {
    return this.inner.verify();
  }

  /** Closes once the messages being signed are on their way. */
  close(): void {
    this.closeWhenSigned = true;
    if (this.signing === 0) this.inner.close();
  }

  destroy(): void {
    this.closeWhenSigned = true;
    this.inner.destroy();
  }
}

/** A message that could not be signed, as a failure before the server is reached. */
function notSigned(error: unknown): SmtpAttemptError {
  const { message, code } = error as Error & { code?: string };
  return new SmtpAttemptError(
    'connect',
    Object.assign(new Error(message), { code: code ?? 'EDKIM' }),
  );
}
