import { createDurableSender } from './durablePath';
import {
  nodemailerNoDelay,
  nodemailerNoDelayKeptConnections,
} from './nodemailerNoDelay';
import { nodemailerPool } from './nodemailerPool';
import { RECIPIENT_COUNT } from '../messages';
import { createNotificationsSender } from './notificationsPath';
import { Sender } from './types';

export interface SenderEntry {
  id: string;
  label: string;
  /** Baselines: the best of them is what every row is compared with. */
  baseline: boolean;
  create(): Sender | Promise<Sender>;
}

/**
 * The notifications backend's own throttle (10 users per 50 ms by default,
 * which holds any email module to 200 a second) raised, as a busy portal
 * would raise it.
 */
const BACKEND_THROTTLE_RAISED = {
  concurrencyLimit: 100,
  throttleInterval: { milliseconds: 10 },
};

/**
 * The upstream module tuned for speed: the notifications backend's own
 * throttle raised, and the module's per-notification throttle (2 emails per
 * 100 ms) too.
 */
const UPSTREAM_TUNED = {
  ...BACKEND_THROTTLE_RAISED,
  processors: {
    email: { concurrencyLimit: 100, throttleInterval: { milliseconds: 1 } },
  },
};

/** The mailer module emails broadcasts to every user of the catalog. */
const BROADCAST_TO_USERS = {
  processors: { mailer: { broadcastConfig: { receiver: 'users' } } },
};

/** Sends the warm-up messages before any measurement: the fastest baseline. */
export const warmUpEntry: SenderEntry = {
  id: 'warm-up',
  label: 'warm-up',
  baseline: false,
  create: () => nodemailerNoDelayKeptConnections,
};

/** Every sender, in the order they run. */
export const senderEntries: SenderEntry[] = [
  {
    id: 'nodemailer-pool',
    label: 'nodemailer, pool of 5',
    baseline: true,
    create: () => nodemailerPool,
  },
  {
    id: 'nodemailer-nodelay',
    label: 'nodemailer, pool of 5, TCP_NODELAY',
    baseline: true,
    create: () => nodemailerNoDelay,
  },
  {
    id: 'nodemailer-nodelay-kept',
    label: 'nodemailer, pool of 5, TCP_NODELAY, no reconnects',
    baseline: true,
    create: () => nodemailerNoDelayKeptConnections,
  },
  {
    id: 'durable-sqlite',
    label: 'durable path (enqueue + deliver), SQLite',
    baseline: false,
    create: () => createDurableSender('sqlite'),
  },
  {
    id: 'durable-postgres',
    label: 'durable path (enqueue + deliver), PostgreSQL',
    baseline: false,
    create: () => createDurableSender('postgres'),
  },
  {
    id: 'notifications-upstream',
    label: 'notifications + upstream email module 0.3.25, defaults, SQLite',
    baseline: false,
    create: () => createNotificationsSender({ module: 'upstream' }),
  },
  {
    id: 'notifications-upstream-tuned',
    label: 'notifications + upstream email module 0.3.25, tuned, SQLite',
    baseline: false,
    create: () =>
      createNotificationsSender({
        module: 'upstream',
        notificationsConfig: UPSTREAM_TUNED,
      }),
  },
  {
    id: 'notifications-mailer',
    label: 'notifications + mailer module (durable), SQLite',
    baseline: false,
    create: () => createNotificationsSender({ module: 'mailer' }),
  },
  {
    id: 'notifications-mailer-postgres',
    label: 'notifications + mailer module (durable), PostgreSQL',
    baseline: false,
    create: () =>
      createNotificationsSender({ module: 'mailer', database: 'postgres' }),
  },
  {
    id: 'notifications-mailer-tuned',
    label: 'notifications + mailer module, backend throttle raised, SQLite',
    baseline: false,
    create: () =>
      createNotificationsSender({
        module: 'mailer',
        notificationsConfig: BACKEND_THROTTLE_RAISED,
      }),
  },
  {
    id: 'notifications-mailer-tuned-postgres',
    label: 'notifications + mailer module, backend throttle raised, PostgreSQL',
    baseline: false,
    create: () =>
      createNotificationsSender({
        module: 'mailer',
        database: 'postgres',
        notificationsConfig: BACKEND_THROTTLE_RAISED,
      }),
  },
  {
    id: 'broadcasts-mailer',
    label: `broadcast notifications to ${RECIPIENT_COUNT} users + mailer module, SQLite`,
    baseline: false,
    create: () =>
      createNotificationsSender(
        { module: 'mailer', notificationsConfig: BROADCAST_TO_USERS },
        'broadcast',
      ),
  },
  {
    id: 'broadcasts-mailer-postgres',
    label: `broadcast notifications to ${RECIPIENT_COUNT} users + mailer module, PostgreSQL`,
    baseline: false,
    create: () =>
      createNotificationsSender(
        {
          module: 'mailer',
          database: 'postgres',
          notificationsConfig: BROADCAST_TO_USERS,
        },
        'broadcast',
      ),
  },
];
