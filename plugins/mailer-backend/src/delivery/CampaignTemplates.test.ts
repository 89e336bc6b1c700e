import { mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { openDatabase } from '../database/openDatabase';
import { OutboxQueue } from '../database/OutboxQueue';
import { CampaignTemplates } from './CampaignTemplates';

const databases = createTestDatabases();
const MB = 1024 * 1024;

async function outbox() {
  const knex = await databases.init('SQLITE_3');
  await openDatabase(mockServices.database({ knex }));
  return { knex, queue: new OutboxQueue(knex) };
}

/** A campaign whose stored body weighs about `bytes`, its text in a two-byte character. */
async function campaign(queue: OutboxQueue, id: string, bytes: number) {
  await queue.createCampaign({
    id,
    tenantId: 't',
    priority: 1,
    template: { subject: `Subject ${id}`, text: 'é'.repeat(bytes / 2) },
  });
}

/** The bodies read from the database while `run` runs. */
async function bodiesRead(knex: Knex, run: () => Promise<unknown>) {
  let reads = 0;
  const count = (query: { sql: string }) => {
    if (/template/.test(query.sql)) reads += 1;
  };
  knex.on('query', count);
  try {
    await run();
  } finally {
    knex.off('query', count);
  }
  return reads;
}

describe('CampaignTemplates', () => {
  it('keeps no more bodies than its budget in bytes, the most recently used', async () => {
    const { knex, queue } = await outbox();
    for (const id of ['a', 'b', 'c', 'd']) await campaign(queue, id, 1 * MB);
    const templates = new CampaignTemplates(queue, 2.5 * MB);

    for (const id of ['a', 'b', 'c', 'd', 'b', 'a']) {
      const found = await templates.get([id]);
      expect(found.get(id)?.subject).toBe(`Subject ${id}`);
      expect(templates.keptBytes).toBeLessThanOrEqual(2.5 * MB);
    }
    // Two bodies of 1 MB (UTF-8) fit, a third does not: a and b are kept.
    expect(templates.keptBytes).toBeGreaterThan(2 * MB);
    expect(await bodiesRead(knex, () => templates.get(['a', 'b']))).toBe(0);
    expect(await bodiesRead(knex, () => templates.get(['c']))).toBe(1);
  });

  it('serves a claim from bodies read together even when they do not all fit', async () => {
    const { queue } = await outbox();
    for (const id of ['a', 'b', 'c']) await campaign(queue, id, 1 * MB);
    const templates = new CampaignTemplates(queue, 1.5 * MB);

    const found = await templates.get(['a', 'b', 'c']);

    expect(['a', 'b', 'c'].map(id => found.get(id)?.subject)).toEqual([
      'Subject a',
      'Subject b',
      'Subject c',
    ]);
    expect(templates.keptBytes).toBeLessThanOrEqual(1.5 * MB);
  });

  it('uses a body larger than the whole budget for its claim without keeping it', async () => {
    const { knex, queue } = await outbox();
    await campaign(queue, 'small', 0.5 * MB);
    await campaign(queue, 'huge', 4 * MB);
    const templates = new CampaignTemplates(queue, 3 * MB);
    await templates.get(['small']);
    const kept = templates.keptBytes;

    const found = await templates.get(['huge']);

    expect(found.get('huge')?.subject).toBe('Subject huge');
    expect(templates.keptBytes).toBe(kept);
    // Read again for the next claim; the small one is still kept.
    expect(await bodiesRead(knex, () => templates.get(['huge']))).toBe(1);
    expect(await bodiesRead(knex, () => templates.get(['small']))).toBe(0);
  });
});
