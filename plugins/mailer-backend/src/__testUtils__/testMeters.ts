import { metrics } from '@opentelemetry/api';
import {
  DataPoint,
  DataPointType,
  Histogram,
  MeterProvider,
  MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';

/** The meter Backstage's metrics service gives the mailer plugin. */
export const MAILER_METER = 'backstage-plugin-mailer';

/** A reader that collects when asked, as a Prometheus scrape does. */
class CollectOnDemand extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

type Attributes = Record<string, unknown>;

/** One collection of the mailer's meter. */
export class MetricPoints {
  constructor(private readonly data: MetricData[]) {}

  /** The names of the metrics that have data points. */
  get names(): string[] {
    return this.data.map(m => m.descriptor.name);
  }

  /** Every data point of a metric. */
  points(name: string): Array<DataPoint<number | Histogram>> {
    const metric = this.data.find(m => m.descriptor.name === name);
    return (metric?.dataPoints ?? []) as Array<DataPoint<number | Histogram>>;
  }

  /** The sum of a counter's or gauge's points whose attributes include `match`. */
  sum(name: string, match: Attributes = {}): number {
    return this.matching(name, match).reduce(
      (total, point) => total + (point.value as number),
      0,
    );
  }

  /** How many values a histogram recorded, over the points that match. */
  histogramCount(name: string, match: Attributes = {}): number {
    return this.matching(name, match).reduce(
      (total, point) => total + (point.value as Histogram).count,
      0,
    );
  }

  /** Each point's attributes, as the exporter would write them as labels. */
  attributeSets(name: string): Attributes[] {
    return this.points(name).map(point => ({ ...point.attributes }));
  }

  /** Every attribute value of every metric of the meter. */
  allAttributeValues(): string[] {
    return this.data.flatMap(metric =>
      metric.dataPoints.flatMap(point =>
        Object.values(point.attributes).map(String),
      ),
    );
  }

  /** Whether the metric is a histogram: its points hold counts and buckets. */
  isHistogram(name: string): boolean {
    return (
      this.data.find(m => m.descriptor.name === name)?.dataPointType ===
      DataPointType.HISTOGRAM
    );
  }

  private matching(name: string, match: Attributes) {
    return this.points(name).filter(point =>
      Object.entries(match).every(
        ([key, value]) => point.attributes[key] === value,
      ),
    );
  }
}

/**
 * OpenTelemetry's global meter provider with a reader that collects on
 * demand: install before a backend starts (its metrics service takes its
 * meter then), read whenever the test wants to know.
 */
export class TestMeters {
  private constructor(
    private readonly provider: MeterProvider,
    private readonly reader: CollectOnDemand,
  ) {}

  static install(): TestMeters {
    const reader = new CollectOnDemand();
    const provider = new MeterProvider({ readers: [reader] });
    // A provider can be set once; the previous test's goes first.
    metrics.disable();
    metrics.setGlobalMeterProvider(provider);
    return new TestMeters(provider, reader);
  }

  /** Collects the mailer's meter now, gauges included. */
  async read(): Promise<MetricPoints> {
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) throw errors[0];
    const scope = resourceMetrics.scopeMetrics.find(
      s => s.scope.name === MAILER_METER,
    );
    return new MetricPoints(scope?.metrics ?? []);
  }

  async uninstall(): Promise<void> {
    metrics.disable();
    await this.provider.shutdown();
  }
}
