import { BenchMessage, broadcastSubject, RECIPIENT_COUNT } from '../messages';
import {
  NotificationsSetup,
  recipientRef,
  RunningNotifications,
  startNotificationsBackend,
} from '../notifications/startNotificationsBackend';
import { Sender } from './types';

/** Notifications sent at once, like a few busy plugins: the same for every module. */
const SENDS_IN_FLIGHT = 20;

type Notification = Parameters<
  RunningNotifications['notifications']['send']
>[0];

/**
 * Sends the notifications through `notificationService.send` (HTTP to the
 * notifications backend), `SENDS_IN_FLIGHT` at a time, as a few busy
 * plugins would; throws once all are done if any was refused.
 */
async function sendAll(
  running: RunningNotifications,
  notifications: Notification[],
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < notifications.length) {
      const notification = notifications[next++];
      try {
        await running.notifications.send(notification);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: SENDS_IN_FLIGHT }, worker));
  if (failures.length > 0) {
    throw new Error(
      `${failures.length} of ${notifications.length} notifications were refused, the first with: ${failures[0]}`,
    );
  }
}

/**
 * Every message as a notification to one user. The notification's title is
 * the message's subject, which both modules use as the email's subject, so
 * the server counts each by its number.
 */
function perUser(messages: BenchMessage[]): Notification[] {
  return messages.map(message => ({
    recipients: {
      type: 'entity',
      entityRef: recipientRef(message.seq % RECIPIENT_COUNT),
    },
    payload: { title: message.subject, description: message.text },
  }));
}

/**
 * The messages as broadcasts, one per `RECIPIENT_COUNT` messages: the module
 * emails every user of the catalog (`broadcastConfig.receiver: users`), and
 * broadcast `n` reaches recipient `i` as message `n + i`.
 */
function broadcasts(messages: BenchMessage[]): Notification[] {
  if (messages.length % RECIPIENT_COUNT !== 0) {
    throw new Error(
      `Broadcasts need a multiple of ${RECIPIENT_COUNT} messages, got ${messages.length}`,
    );
  }
  return messages
    .filter(m => m.seq % RECIPIENT_COUNT === 0)
    .map(m => ({
      recipients: { type: 'broadcast' },
      payload: { title: broadcastSubject(m.seq), description: 'news' },
    }));
}

/**
 * The notifications backend with an email module behind it. Starting it is
 * outside the measured time; sending and delivery are inside.
 */
export function createNotificationsSender(
  setup: NotificationsSetup,
  shape: 'per-user' | 'broadcast' = 'per-user',
): Sender {
  let running: RunningNotifications | undefined;
  let restoreTls: (() => void) | undefined;
  const send: Sender = async (_target, messages) =>
    sendAll(
      running!,
      shape === 'broadcast' ? broadcasts(messages) : perUser(messages),
    );
  send.prepare = async target => {
    if (setup.module === 'upstream') {
      // The upstream SMTP transport takes no CA option, and the bench server's
      // certificate is self-signed: accept it for this run only (loopback).
      const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      restoreTls = () => {
        if (previous === undefined) {
          delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
        } else {
          process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
        }
      };
    }
    running = await startNotificationsBackend(setup, target);
  };
  send.dispose = async () => {
    await running?.stop();
    running = undefined;
    restoreTls?.();
    restoreTls = undefined;
  };
  return send;
}
