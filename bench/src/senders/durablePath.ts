import {
  DurableMailer,
  startDurableMailer,
} from '../durable/startDurableMailer';
import { Sender } from './types';

export type DurableDatabase = 'sqlite' | 'postgres';

/**
 * This project's durable path: a real mailer backend (outbox, workers,
 * pooled TCP_NODELAY transports) on a fresh database, fed by a second plugin
 * through `mailerServiceRef.sendBulk` over HTTP. Starting the backend is
 * outside the measured time; enqueueing and delivery are inside.
 */
export function createDurableSender(database: DurableDatabase): Sender {
  let mailer: DurableMailer | undefined;
  const send: Sender = async (_target, messages) => {
    await mailer!.sendBulk(
      messages.map(m => ({ to: m.to, variables: { seq: String(m.seq) } })),
    );
  };
  send.prepare = async target => {
    mailer = await startDurableMailer(database, target);
  };
  send.dispose = async () => {
    await mailer?.stop();
    mailer = undefined;
  };
  return send;
}
