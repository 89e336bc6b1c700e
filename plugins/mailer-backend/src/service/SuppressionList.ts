import { NotFoundError } from '@backstage/errors';
import {
  SuppressedAddress,
  SuppressionListResponse,
} from '@elixeum/plugin-mailer-common';
import {
  Suppression,
  SuppressionScope,
  SuppressionStore,
} from '../database/SuppressionStore';
import { iso } from '../database/outboxRows';
import { maskAddress } from './maskRecipients';
import { SettingsHistory } from './SettingsHistory';

/** Addresses per page of the card, by default and at most. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

function toView(suppression: Suppression, reveal: boolean): SuppressedAddress {
  return {
    address: reveal ? suppression.address : maskAddress(suppression.address),
    ...(suppression.scope !== 'all-bulk' && { list: suppression.scope.list }),
    reason: suppression.reason,
    since: iso(suppression.since)!,
    ...(suppression.expiresAt !== undefined && {
      expiresAt: iso(suppression.expiresAt),
    }),
    ...(suppression.campaignId && { campaignId: suppression.campaignId }),
  };
}

/**
 * A tenant's suppression list as the "Suppressed addresses" card reads and
 * changes it: pages of it, and removals, each written to the settings
 * history in the removal's own transaction.
 */
export class SuppressionList {
  constructor(
    private readonly store: SuppressionStore,
    private readonly history: SettingsHistory,
  ) {}

  /**
   * A page, newest first; addresses masked unless `reveal` (the reader may
   * manage the settings).
   */
  async page(
    tenantId: string,
    options: {
      search?: string;
      offset?: number;
      limit?: number;
      reveal: boolean;
    },
  ): Promise<SuppressionListResponse> {
    const { items, total } = await this.store.list(tenantId, {
      search: options.search?.trim() || undefined,
      offset: options.offset ?? 0,
      limit: Math.min(options.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    });
    return {
      items: items.map(item => toView(item, options.reveal)),
      total,
      masked: !options.reveal,
    };
  }

  /** Takes an address off the list in one scope; `NotFoundError` when it was not on it. */
  async remove(
    tenantId: string,
    address: string,
    scope: SuppressionScope,
    actor: string,
  ): Promise<SuppressedAddress> {
    const removed = await this.store.remove(
      tenantId,
      address,
      scope,
      (tx, suppression) =>
        this.history.recordSuppressionRemoved(tx, tenantId, actor, suppression),
    );
    if (!removed) {
      throw new NotFoundError('That address is not on the suppression list');
    }
    return toView(removed, true);
  }
}
