import { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { mockServices } from '@backstage/backend-test-utils';
import { metrics } from '@opentelemetry/api';
import { watchQueries } from '../__testUtils__/queryWatch';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { TestMeters } from '../__testUtils__/testMeters';
import { MetricReadings } from '../database/MetricReadings';
import { openDatabase } from '../database/openDatabase';
import { MailerGauges } from './MailerGauges';

// The gauges against a real database: what a collection costs it, and what
// they report when it cannot be read.

const databases = createTestDatabases();

let meters: TestMeters;
beforeEach(() => {
  meters = TestMeters.install();
});
afterEach(() => meters.uninstall());

/** The meter Backstage's metrics service would give the plugin. */
function metricsService(): MetricsService {
  return metrics.getMeter('backstage-plugin-mailer') as MetricsService;
}

describe('MailerGauges', () => {
  it('reads the database once per interval however often it is collected, never per gauge', async () => {
    const knex = await databases.init('SQLITE_3');
    await openDatabase(mockServices.database({ knex }));
    const backlog = watchQueries(knex, /from .mailer_outbox./i);
    const pauses = watchQueries(knex, /from .mailer_delivery_pauses./i);
    const gauges = new MailerGauges(
      metricsService(),
      new MetricReadings(knex),
      mockServices.logger.mock(),
      60_000,
    );

    for (let i = 0; i < 3; i++) {
      const points = await meters.read();
      expect(points.sum('mailer.outbox.due')).toBe(0);
    }
    // Two gauges read the backlog, three collections: one statement.
    expect(backlog.count).toBe(1);
    expect(pauses.count).toBe(1);
    gauges.stop();
  });

  it('reads nothing more once stopped', async () => {
    const knex = await databases.init('SQLITE_3');
    await openDatabase(mockServices.database({ knex }));
    const statements = watchQueries(knex, /mailer_/);
    const gauges = new MailerGauges(
      metricsService(),
      new MetricReadings(knex),
      mockServices.logger.mock(),
      0,
    );
    await meters.read();
    const read = statements.count;
    expect(read).toBeGreaterThan(0);

    gauges.stop();
    await meters.read();

    expect(statements.count).toBe(read);
  });

  it('reports no data, not zero, when the database cannot be read, and says why in the log', async () => {
    const knex = await databases.init('SQLITE_3');
    await knex.destroy();
    const logger = mockServices.logger.mock();
    const gauges = new MailerGauges(
      metricsService(),
      new MetricReadings(knex),
      logger,
    );

    const points = await meters.read();

    expect(points.points('mailer.outbox.due')).toEqual([]);
    expect(points.points('mailer.outbox.oldest_due_age')).toEqual([]);
    expect(points.points('mailer.servers.paused')).toEqual([]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('Could not read the due backlog for the metrics'),
    );
    gauges.stop();
  });
});
