import { mockServices } from '@backstage/backend-test-utils';
import { eventually } from '../__testUtils__/outboxHarness';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { openDatabase } from '../database/openDatabase';
import { OutboxClaims } from '../database/OutboxClaims';
import { OutboxQueue } from '../database/OutboxQueue';
import { OutboxReports } from '../database/OutboxReports';
import { SendKeys } from '../database/SendKeys';
import { SuppressionStore } from '../database/SuppressionStore';
import { MailQueue, PauseLookup, STATUS_POLL_MS } from './MailQueue';

const databases = createTestDatabases();
jest.setTimeout(30_000);
/** How much earlier than asked a timer may fire, as Date.now() sees it. */
const TIMER_SLACK_MS = 5;

describe.each(databases.eachSupportedId())('MailQueue on %s', databaseId => {
  async function setup(limits?: { maxWaiting: number }) {
    const knex = await openDatabase(
      mockServices.database({ knex: await databases.init(databaseId) }),
    );
    const queue = new MailQueue(
      {
        queue: new OutboxQueue(knex),
        reports: new OutboxReports(knex),
        // Not asked in these tests: they read statuses, not summaries.
        pauses: {} as PauseLookup,
        sendKeys: new SendKeys(knex),
        suppressions: new SuppressionStore(knex),
      },
      limits,
    );
    const claims = new OutboxClaims(knex);
    const isStatusRead = (sql: string) =>
      /^select .* from .mailer_outbox. where .id. = /i.test(sql);
    let statusReads = 0;
    let statusAnswers = 0;
    knex.on('query', (query: { sql: string }) => {
      if (isStatusRead(query.sql)) statusReads += 1;
    });
    knex.on('query-response', (_rows: unknown, query: { sql: string }) => {
      if (isStatusRead(query.sql)) statusAnswers += 1;
    });
    /** Resolves once a waiter has read the status and gone to sleep. */
    const waiterAsleep = async () => {
      await eventually(() => statusAnswers > 0, 10_000, 'a status read');
      // Its next step (going to sleep) follows the answer in the same turn.
      await new Promise(resolve => setImmediate(resolve));
    };
    return {
      knex,
      claims,
      queue,
      statusReads: () => statusReads,
      waiterAsleep,
    };
  }

  const message = { to: 'ada@example.com', subject: 'Hi', text: 'Hello' };

  it("answers 404 for another tenant's message, as for one that does not exist", async () => {
    const { queue } = await setup();
    const { id } = await queue.send(message, { tenantId: 'acme' });
    await expect(queue.status(id, 'acme')).resolves.toMatchObject({
      id,
      state: 'queued',
    });
    const status = await queue.status(id, 'acme');
    expect(status).not.toHaveProperty('tenantId');
    for (const [tenant, messageId] of [
      ['globex', id],
      ['acme', 'no-such-message'],
    ]) {
      await expect(queue.status(messageId, tenant)).rejects.toMatchObject({
        name: 'NotFoundError',
        message: `No queued message ${messageId}`,
      });
      await expect(
        queue.waitForFinalStatus(messageId, tenant, 1000),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
    }
  });

  it('reads the database at most every 500 ms while it waits', async () => {
    const { queue, statusReads } = await setup();
    const { id } = await queue.send(message, { tenantId: 'acme' });
    const started = Date.now();
    const status = await queue.waitForFinalStatus(id, 'acme', 1600);
    const elapsed = Date.now() - started;
    expect(status.state).toBe('queued');
    // Not before the deadline (a timer may fire a millisecond before
    // Date.now() says its time is up).
    expect(elapsed).toBeGreaterThanOrEqual(1600 - TIMER_SLACK_MS);
    // At 0, 500, 1000, 1500 and at the deadline: never faster than STATUS_POLL_MS.
    expect(STATUS_POLL_MS).toBe(500);
    expect(statusReads()).toBeLessThanOrEqual(5);
    expect(statusReads()).toBeGreaterThanOrEqual(3);
  });

  it('answers at once when the outcome is recorded on this replica', async () => {
    const { queue, claims, waiterAsleep } = await setup();
    const { id } = await queue.send(message, { tenantId: 'acme' });
    // Let the waiter read the queued state and go to sleep first.
    const waiting = queue.waitForFinalStatus(id, 'acme', 10_000);
    await waiterAsleep();
    await claims.claim({
      tenantId: 'acme',
      limit: 1,
      token: 't',
      leaseMs: 60_000,
    });
    await claims.record([
      {
        token: 't',
        outcome: {
          kind: 'delivered',
          id,
          state: 'sent',
          messageId: '<m@example.com>',
          results: { 'ada@example.com': { state: 'sent' } },
        },
      },
    ]);
    const notified = Date.now();
    queue.notifyFinished(id);
    const status = await waiting;
    expect(status).toMatchObject({ id, state: 'sent' });
    // Well before the next poll would have found it.
    expect(Date.now() - notified).toBeLessThan(STATUS_POLL_MS - 200);
  });

  it('refuses bulk recipients by the rules of send(), and queues nothing', async () => {
    const { queue, knex } = await setup();
    const { campaignId } = await queue.createCampaign(
      { subject: 'Hello {{name}}', text: 'Dear {{name}}' },
      { tenantId: 'acme' },
    );
    const refused: unknown[] = [
      { to: { name: 'Ada\r\nBcc: all@example.com', address: 'a@example.com' } },
      { to: { name: 'x'.repeat(201), address: 'a@example.com' } },
      { to: 'аda@example.com' },
      { to: 'a@example.com', variables: { name: 'x'.repeat(10 * 1024 + 1) } },
      {
        to: 'a@example.com',
        variables: Object.fromEntries(
          Array.from({ length: 51 }, (_, i) => [`v${i}`, 'x']),
        ),
      },
      { to: 'a@example.com', variables: { 'not a name': 'x' } },
      { to: 'a@example.com', variables: { name: 42 } },
      { to: 'a@example.com', extra: true },
    ];
    for (const recipient of refused) {
      await expect(
        queue.addRecipients(campaignId, 'acme', [
          { to: 'fine@example.com' },
          recipient as any,
        ]),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining('recipients[1]'),
      });
    }
    const [{ n }] = await knex('mailer_outbox').count({ n: '*' });
    expect(Number(n)).toBe(0);

    await expect(
      queue.addRecipients(campaignId, 'acme', [
        {
          to: { name: 'Ada', address: 'ada@example.com' },
          variables: { name: 'Ada' },
        },
      ]),
    ).resolves.toEqual({ accepted: 1, suppressed: 0 });
  });
  it('refuses values that would break the personalised message: a line break in the subject, a subject over 998 characters, a message that grows past 25 MB', async () => {
    const { queue, knex } = await setup();
    const { campaignId } = await queue.createCampaign(
      {
        subject: 'News for {{name}}',
        text: `Dear {{name}}, ${'{{block}} '.repeat(3000)}`,
        html: '<p>{{ name }} <b>{{team}}</b></p>',
      },
      { tenantId: 'acme' },
    );
    const cases: Array<[unknown, string]> = [
      [
        { name: 'Ada\r\nBcc: all@example.com' },
        'recipients[0].variables.name is used in the subject',
      ],
      [{ name: 'Ada\nLovelace' }, 'must be a single line'],
      [{ name: 'x'.repeat(990) }, 'longer than 998 characters'],
      // 3,000 fields × 10 kB: 30 MB of text from a 30 kB template.
      [{ block: 'x'.repeat(10 * 1024) }, 'make the message longer than'],
    ];
    for (const [variables, problem] of cases) {
      await expect(
        queue.addRecipients(campaignId, 'acme', [
          { to: 'fine@example.com', variables: { name: 'Bob' } },
          { to: 'a@example.com', variables } as any,
        ]),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(`recipients[1].variables`),
      });
      await expect(
        queue.addRecipients(campaignId, 'acme', [
          { to: 'a@example.com', variables } as any,
        ]),
      ).rejects.toThrow(problem);
    }
    const [{ n }] = await knex('mailer_outbox').count({ n: '*' });
    expect(Number(n)).toBe(0);

    // Line breaks stay welcome where they do no harm: in the body only.
    await expect(
      queue.addRecipients(campaignId, 'acme', [
        {
          to: 'ada@example.com',
          variables: { name: 'Ada', block: 'Line 1\nLine 2', team: 'R&D' },
        },
      ]),
    ).resolves.toEqual({ accepted: 1, suppressed: 0 });
  });
  it('answers at once instead of waiting when too many callers wait already', async () => {
    const { queue } = await setup({ maxWaiting: 2 });
    const { id } = await queue.send(message, { tenantId: 'acme' });
    const waits = [
      queue.waitForFinalStatus(id, 'acme', 1500),
      queue.waitForFinalStatus(id, 'acme', 1500),
    ];
    const started = Date.now();
    await expect(
      queue.waitForFinalStatus(id, 'acme', 1500),
    ).resolves.toMatchObject({ id, state: 'queued' });
    expect(Date.now() - started).toBeLessThan(1000);
    await Promise.all(waits);
    // Once they are done, callers wait again.
    const again = Date.now();
    await queue.waitForFinalStatus(id, 'acme', 700);
    expect(Date.now() - again).toBeGreaterThanOrEqual(700 - TIMER_SLACK_MS);
  });
  it('answers every waiting caller at once when the backend stops, and later ones without waiting', async () => {
    const { queue, waiterAsleep } = await setup();
    const { id } = await queue.send(message, { tenantId: 'acme' });
    const started = Date.now();
    const waiting = queue.waitForFinalStatus(id, 'acme', 20_000);
    await waiterAsleep();
    queue.stopWaiting();
    await expect(waiting).resolves.toMatchObject({ id, state: 'queued' });
    await expect(
      queue.waitForFinalStatus(id, 'acme', 20_000),
    ).resolves.toMatchObject({ id, state: 'queued' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
