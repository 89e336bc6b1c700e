import {
  RecipientSuppression,
  SuppressionReason,
} from '@elixeum/plugin-mailer-common';
import { Knex } from 'knex';
import { cleanServerText } from '../text/cleanServerText';
import { databaseNow, readDatabaseNow } from './databaseClock';
import { Row } from './outboxRows';

/** The suppression table; the outbox reports count unsubscribes in it. */
export const SUPPRESSIONS = 'mailer_suppressions';

/** `list_id` of a suppression that covers all of a tenant's bulk mail. */
const ALL_BULK = '*';

/** Addresses per `IN (…)`: well under every engine's limit on bound parameters. */
const ADDRESS_CHUNK = 500;

/** What a suppression covers: one list, or all of the tenant's bulk mail. */
export type SuppressionScope = { list: string } | 'all-bulk';

/** Which mail is being checked: to a list (bulk), or transactional. */
export type MailKind = 'bulk' | 'transactional';

/** One address on a tenant's suppression list. */
export interface Suppression {
  tenantId: string;
  /** In lower case. */
  address: string;
  scope: SuppressionScope;
  reason: SuppressionReason;
  /** When it was (last) suppressed, epoch ms of the database's clock. */
  since: number;
  /** When it ends (a soft bounce), epoch ms; undefined: never. */
  expiresAt?: number;
  /** The mailing whose link or bounce caused it. */
  campaignId?: string;
  /** What caused it, e.g. a bounce's reply. Never a secret. */
  detail?: string;
}

/** How to suppress an address. */
export interface SuppressOptions {
  scope: SuppressionScope;
  reason: SuppressionReason;
  /** For temporary reasons (a soft bounce): how long from now it holds. */
  expiresInMs?: number;
  campaignId?: string;
  detail?: string;
}

/**
 * Which reason stays when an address is suppressed again in the same
 * scope: a bounce or a complaint outranks an unsubscribe, which outranks
 * an administrator's entry; a soft bounce never replaces anything that
 * does not end.
 */
const RANK: Record<SuppressionReason, number> = {
  'soft-bounce': 0,
  admin: 1,
  unsubscribed: 2,
  complaint: 3,
  'hard-bounce': 4,
};

/** The key of an address in the table and in every lookup. */
export const suppressionKey = (address: string) => address.trim().toLowerCase();

/**
 * Whether `suppression` keeps mail of `kind` (to `listId`, for bulk mail)
 * from the address: bulk mail by any suppression of its list or of all
 * bulk mail; transactional mail only by a hard bounce, since a password
 * reset must still reach someone who unsubscribed from the newsletter.
 */
export function blocks(
  suppression: Suppression,
  kind: MailKind,
  listId: string | undefined,
): boolean {
  if (kind === 'transactional') return suppression.reason === 'hard-bounce';
  return (
    suppression.scope === 'all-bulk' ||
    (listId !== undefined && suppression.scope.list === listId)
  );
}

/** Why a recipient was skipped, as its delivery record says it. */
export function toRecipientSuppression(
  suppression: Suppression,
): RecipientSuppression {
  return {
    reason: suppression.reason,
    ...(suppression.scope !== 'all-bulk' && { list: suppression.scope.list }),
  };
}

function listIdOf(scope: SuppressionScope): string {
  return scope === 'all-bulk' ? ALL_BULK : scope.list;
}

function toSuppression(row: Row): Suppression {
  return {
    tenantId: row.tenant_id,
    address: row.address,
    scope: row.list_id === ALL_BULK ? 'all-bulk' : { list: row.list_id },
    reason: row.reason,
    since: Number(row.created_at),
    expiresAt:
      row.expires_at === null || row.expires_at === undefined
        ? undefined
        : Number(row.expires_at),
    campaignId: row.campaign_id ?? undefined,
    detail: row.detail ?? undefined,
  };
}

/**
 * `%` and `_` are wildcards of LIKE: searched for as themselves, escaped
 * with `!` (a backslash means something else in MySQL's string literals).
 */
function likePattern(text: string): string {
  return `%${text.replace(/[!%_]/g, c => `!${c}`)}%`;
}

/**
 * The suppression list of every tenant: per address and scope (a list, or
 * all bulk mail) one row, with the reason, when, and for temporary reasons
 * when it ends. Expired rows count for nothing and are purged hourly.
 */
export class SuppressionStore {
  constructor(private readonly knex: Knex) {}

  /**
   * Suppresses an address in a scope, at once. Suppressed again in the same
   * scope, the stronger reason stays (see `RANK`) with its time and
   * mailing; the same reason again only moves its end later; and a row
   * that never ends stays so.
   */
  async suppress(
    tenantId: string,
    address: string,
    options: SuppressOptions,
  ): Promise<void> {
    const key = {
      tenant_id: tenantId,
      address: suppressionKey(address),
      list_id: listIdOf(options.scope),
    };
    const now = await readDatabaseNow(this.knex);
    const existing: Row | undefined = await this.knex(SUPPRESSIONS)
      .where(key)
      .first();
    const current =
      existing &&
      (existing.expires_at === null || Number(existing.expires_at) > now)
        ? toSuppression(existing)
        : undefined;
    const wanted: Suppression = {
      tenantId,
      address: key.address,
      scope: options.scope,
      reason: options.reason,
      since: now,
      expiresAt:
        options.expiresInMs === undefined
          ? undefined
          : now + options.expiresInMs,
      campaignId: options.campaignId,
      detail:
        options.detail === undefined
          ? undefined
          : cleanServerText(options.detail, 500),
    };
    const merged = current ? mergeSuppressions(current, wanted) : wanted;
    if (current && sameRow(current, merged)) return;
    const row = {
      ...key,
      reason: merged.reason,
      created_at: merged.since,
      expires_at: merged.expiresAt ?? null,
      campaign_id: merged.campaignId ?? null,
      detail: merged.detail ?? null,
    };
    // Two suppressions of one address at once: the later write wins, and
    // either leaves the address suppressed.
    await this.knex(SUPPRESSIONS)
      .insert(row)
      .onConflict(['tenant_id', 'address', 'list_id'])
      .merge(row);
  }

  /**
   * Of `addresses`, those that mail of `kind` (to `listId`, for bulk mail)
   * must not go to, each with the suppression that decides it.
   */
  async suppressedAmong(
    tenantId: string,
    addresses: string[],
    listId: string | undefined,
    kind: MailKind,
  ): Promise<Map<string, Suppression>> {
    const rows = await this.matching(
      tenantId,
      addresses,
      listId === undefined ? [] : [listId],
    );
    const found = new Map<string, Suppression>();
    for (const suppression of rows) {
      if (blocks(suppression, kind, listId)) {
        const other = found.get(suppression.address);
        found.set(suppression.address, strongest(other, suppression));
      }
    }
    return found;
  }

  /**
   * Every suppression in force of these addresses that mail to these
   * lists, or transactional mail, could meet: of the lists, of all bulk
   * mail, and hard bounces. One query for a whole claim, however many
   * lists it spans; `blocks` decides per message.
   */
  async matching(
    tenantId: string,
    addresses: string[],
    listIds: string[],
  ): Promise<Suppression[]> {
    const keys = [...new Set(addresses.map(suppressionKey))];
    if (keys.length === 0) return [];
    const lists = [...new Set([...listIds, ALL_BULK])];
    const found: Suppression[] = [];
    for (let i = 0; i < keys.length; i += ADDRESS_CHUNK) {
      const rows: Row[] = await this.knex(SUPPRESSIONS)
        .where('tenant_id', tenantId)
        .whereIn('address', keys.slice(i, i + ADDRESS_CHUNK))
        .where(q =>
          q.whereIn('list_id', lists).orWhere('reason', 'hard-bounce'),
        )
        .where(q =>
          q
            .whereNull('expires_at')
            .orWhere('expires_at', '>', databaseNow(this.knex)),
        );
      found.push(...rows.map(toSuppression));
    }
    return found;
  }

  /**
   * A page of the tenant's suppressions in force, newest first, and how
   * many there are; `search` matches any part of the address.
   */
  async list(
    tenantId: string,
    options: { search?: string; limit: number; offset: number },
  ): Promise<{ items: Suppression[]; total: number }> {
    const matches = () => {
      const query = this.knex(SUPPRESSIONS)
        .where('tenant_id', tenantId)
        .where(q =>
          q
            .whereNull('expires_at')
            .orWhere('expires_at', '>', databaseNow(this.knex)),
        );
      const search = options.search && suppressionKey(options.search);
      return search
        ? query.whereRaw("address LIKE ? ESCAPE '!'", [likePattern(search)])
        : query;
    };
    const [rows, [{ n }]] = await Promise.all([
      matches()
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'address' },
          { column: 'list_id' },
        ])
        .limit(options.limit)
        .offset(options.offset) as Promise<Row[]>,
      matches().count({ n: '*' }) as Promise<Row[]>,
    ]);
    return { items: rows.map(toSuppression), total: Number(n) };
  }

  /**
   * Takes an address off the list in one scope, so mail goes to it again;
   * `alongside` runs in the same transaction with what was removed (e.g.
   * the settings history's line). Undefined when there was nothing.
   */
  async remove(
    tenantId: string,
    address: string,
    scope: SuppressionScope,
    alongside?: (tx: Knex.Transaction, removed: Suppression) => Promise<void>,
  ): Promise<Suppression | undefined> {
    const key = {
      tenant_id: tenantId,
      address: suppressionKey(address),
      list_id: listIdOf(scope),
    };
    return this.knex.transaction(async tx => {
      const row = await tx(SUPPRESSIONS).where(key).first();
      if (!row) return undefined;
      const deleted = await tx(SUPPRESSIONS).where(key).delete();
      // Removed meanwhile by someone else: theirs is the line in the history.
      if (deleted === 0) return undefined;
      const removed = toSuppression(row);
      await alongside?.(tx, removed);
      return removed;
    });
  }

  /** Deletes suppressions that ended; returns how many. */
  async purgeExpired(): Promise<number> {
    return this.knex(SUPPRESSIONS)
      .where('expires_at', '<=', databaseNow(this.knex))
      .delete();
  }
}

/** The row that stays when `next` meets `current` in one scope (see `suppress`). */
function mergeSuppressions(
  current: Suppression,
  next: Suppression,
): Suppression {
  const lasting =
    current.expiresAt === undefined || next.expiresAt === undefined;
  const end = lasting
    ? undefined
    : Math.max(current.expiresAt!, next.expiresAt!);
  const stays = RANK[current.reason] >= RANK[next.reason] ? current : next;
  return { ...stays, expiresAt: end };
}

function sameRow(a: Suppression, b: Suppression): boolean {
  return (
    a.reason === b.reason &&
    a.since === b.since &&
    a.expiresAt === b.expiresAt &&
    a.campaignId === b.campaignId &&
    a.detail === b.detail
  );
}

/** Of two suppressions of one address, the one whose reason weighs more. */
function strongest(a: Suppression | undefined, b: Suppression): Suppression {
  return a && RANK[a.reason] >= RANK[b.reason] ? a : b;
}
