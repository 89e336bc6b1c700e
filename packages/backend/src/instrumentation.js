// OpenTelemetry for the example backend, loaded with `node --require` before
// anything else (see the start script), as Backstage's "Setup OpenTelemetry"
// tutorial describes. Metrics only: the plugins' meters (the mailer's
// `backstage-plugin-mailer` among them) are served for Prometheus at
// http://localhost:9464/metrics; OTEL_EXPORTER_PROMETHEUS_PORT and
// OTEL_EXPORTER_PROMETHEUS_HOST move it.

// Worker threads load this file too; one exporter is enough.
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  const { metrics } = require('@opentelemetry/api');
  const { MeterProvider } = require('@opentelemetry/sdk-metrics');
  const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');

  const prometheus = new PrometheusExporter({}, error => {
    // Another backend on this machine may hold the port: run without metrics.
    if (error) console.warn(`Metrics not served: ${error.message}`);
  });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [prometheus] }));
}
