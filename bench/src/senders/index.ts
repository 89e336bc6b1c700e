import { createDurableSender } from './durablePath';
import {
  nodemailerNoDelay,
  nodemailerNoDelayKeptConnections,
} from './nodemailerNoDelay';
import { nodemailerPool } from './nodemailerPool';
import { Sender } from './types';

export interface SenderEntry {
  id: string;
  label: string;
  /** Baselines: the best of them is what every row is compared with. */
  baseline: boolean;
  create(): Sender | Promise<Sender>;
}

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
];
