import { Sender } from './types';
import { sendThroughNodemailer } from './sendThroughNodemailer';

/** Baseline 1: stock nodemailer, `pool: true, maxConnections: 5`. */
export const nodemailerPool: Sender = (target, messages) =>
  sendThroughNodemailer(target, messages);
