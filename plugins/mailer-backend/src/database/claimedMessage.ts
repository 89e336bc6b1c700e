import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { MessageRecipients, RecipientResults } from './outboxRows';

// What a worker holds between claiming a message and recording its outcome.

/** A message a worker has claimed and now delivers. */
export interface ClaimedMessage {
  id: string;
  campaignId: string;
  tenantId: string;
  /** 0 transactional, 1 bulk. */
  priority: number;
  /** The list it is sent to; undefined for transactional mail. */
  listId?: string;
  recipients: MessageRecipients;
  variables?: Record<string, string>;
  /** Results of earlier attempts: who already has it, who refused it for good. */
  results: RecipientResults;
  /** Attempts so far, including this one. */
  attempts: number;
  /** Epoch ms, the database's clock. */
  createdAt: number;
  /** Epoch ms, the database's clock. */
  claimedAt: number;
  /** The claim it belongs to: only its holder may record its outcome. */
  token: string;
  /** Set when the stored row cannot be read: the message fails by itself. */
  unreadable?: string;
}

/** How one claimed message ended, as recorded. */
export type DeliveryOutcome =
  | {
      kind: 'delivered';
      id: string;
      /** `partial` when some recipients refused it for good. */
      state: 'sent' | 'partial';
      messageId: string;
      results: RecipientResults;
    }
  | {
      kind: 'retry';
      id: string;
      delayMs: number;
      reply: SmtpReply;
      results: RecipientResults;
    }
  | { kind: 'failed'; id: string; reply: SmtpReply; results: RecipientResults }
  | {
      /**
       * Not sent, and final: every recipient still waiting for it is on the
       * tenant's suppression list (`results` says why). No attempt counts.
       */
      kind: 'suppressed';
      id: string;
      results: RecipientResults;
    }
  | {
      /**
       * Given back without an attempt (its server is paused, the backend
       * stops): the attempt counted at claim time is taken back. `results`
       * keeps what recipients got before a server failed mid-way.
       */
      kind: 'released';
      id: string;
      delayMs: number;
      reply?: SmtpReply;
      results?: RecipientResults;
    };

/** An outcome and the claim it was reached under. */
export interface ClaimOutcome {
  token: string;
  outcome: DeliveryOutcome;
}

/** What a claim takes. */
export interface ClaimOptions {
  tenantId: string;
  limit: number;
  /** Marks the rows this claim takes; every later write checks it. */
  token: string;
  leaseMs: number;
}
