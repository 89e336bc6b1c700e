import { LruMap } from '../cache/LruMap';
import { OutboxQueue } from '../database/OutboxQueue';
import { StoredTemplate } from './composeMessage';

/** Campaign bodies kept in memory: a bulk mailing reads its body once, not once per message. */
const CAPACITY = 64;

/**
 * The bodies of the campaigns being delivered, read from the outbox and
 * kept for the most recently used campaigns. A body that cannot be parsed
 * is left out: its messages fail by themselves.
 */
export class CampaignTemplates {
  private readonly cache = new LruMap<string, StoredTemplate | undefined>(
    CAPACITY,
  );

  constructor(private readonly queue: Pick<OutboxQueue, 'bodies'>) {}

  async get(
    campaignIds: string[],
  ): Promise<Map<string, StoredTemplate | undefined>> {
    const wanted = [...new Set(campaignIds)];
    const missing = wanted.filter(id => !this.cache.has(id));
    if (missing.length > 0) {
      const bodies = await this.queue.bodies(missing);
      for (const id of missing) this.cache.set(id, parse(bodies.get(id)));
    }
    return new Map(wanted.map(id => [id, this.cache.use(id)]));
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
