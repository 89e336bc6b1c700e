import { LruMap } from '../cache/LruMap';
import { OutboxQueue } from '../database/OutboxQueue';
import { StoredTemplate } from './composeMessage';

/**
 * Campaign bodies kept in memory: a bulk mailing reads its body once, not
 * once per message. Enough for every tenant of a large portal mailing at
 * once (64 made 100 tenants read their bodies for every claim); the byte
 * budget is what bounds the memory.
 */
const CAPACITY = 2000;

interface KeptTemplate {
  template: StoredTemplate | undefined;
  /** The stored body's size in bytes (UTF-8). */
  bytes: number;
}

/**
 * The bodies of the campaigns being delivered, read from the outbox and
 * kept for the most recently used campaigns, up to a size in bytes (each
 * body weighs what it weighs stored, in UTF-8). A body larger than the
 * whole budget is used for the messages it was read for, and read again
 * for the next. A body that cannot be parsed is left out: its messages
 * fail by themselves.
 */
export class CampaignTemplates {
  private readonly cache: LruMap<string, KeptTemplate>;

  constructor(
    private readonly queue: Pick<OutboxQueue, 'bodies'>,
    /** `mailer.delivery.templateCacheSize`. */
    maxBytes: number,
  ) {
    this.cache = new LruMap(CAPACITY, {
      maxWeight: maxBytes,
      weightOf: kept => kept.bytes,
    });
  }

  /** What the kept bodies weigh together, in bytes. */
  get keptBytes(): number {
    return this.cache.totalWeight;
  }

  async get(
    campaignIds: string[],
  ): Promise<Map<string, StoredTemplate | undefined>> {
    const wanted = [...new Set(campaignIds)];
    // Answered from what was read, not from the cache: a body too large to
    // keep, or pushed out by the next one, still serves this claim.
    const found = new Map<string, StoredTemplate | undefined>();
    for (const id of wanted) {
      const kept = this.cache.use(id);
      if (kept) found.set(id, kept.template);
    }
    const missing = wanted.filter(id => !found.has(id));
    if (missing.length > 0) {
      const bodies = await this.queue.bodies(missing);
      for (const id of missing) {
        const body = bodies.get(id);
        const kept = {
          template: parse(body),
          bytes: body === undefined ? 0 : Buffer.byteLength(body),
        };
        found.set(id, kept.template);
        this.cache.set(id, kept);
      }
    }
    return new Map(wanted.map(id => [id, found.get(id)]));
  }
}

function parse(body: string | undefined): StoredTemplate | undefined {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
