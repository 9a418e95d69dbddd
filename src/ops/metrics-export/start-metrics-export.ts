import type { Registry, RegistryContentType } from 'prom-client';
import { bulwarkResource } from '../tracing/otel-resource.js';
import { DEFAULT_METRICS_EXPORT_INTERVAL_MS, DEFAULT_METRICS_EXPORT_TIMEOUT_MS, envMs, metricsExportWanted, type MetricsExportSettings } from './metrics-export-settings.js';
import { PrometheusProducer } from './prometheus-producer.js';

/** The running OpenTelemetry metrics pipeline (meter provider, periodic reader, OTLP/HTTP exporter). */
export interface MetricsExport {
  /** Exports now (and waits for it). */
  flush(): Promise<void>;
  /** Exports one last time and stops. */
  shutdown(): Promise<void>;
}

/** Thrown when the metrics export is on but the optional OpenTelemetry SDK packages are not installed. */
export class MetricsExportUnavailableError extends Error {
  readonly code = 'BULWARK_ERR_METRICS_EXPORT_UNAVAILABLE';
  constructor(cause: unknown) {
    super(
      'The OpenTelemetry metrics export is enabled but its SDK is not installed: npm install @opentelemetry/sdk-metrics @opentelemetry/exporter-metrics-otlp-http '
        + '@opentelemetry/resources (they are optionalDependencies of bulwark)',
      { cause },
    );
    this.name = 'MetricsExportUnavailableError';
  }
}

// Loaded only when the export is on: without it, none of the SDK is imported (nor needs to be installed).
async function loadSdk() {
  try {
    const [metrics, exporter, resources] = await Promise.all([
      import('@opentelemetry/sdk-metrics'),
      import('@opentelemetry/exporter-metrics-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
    return { metrics, exporter, resources };
  } catch (error) {
    throw new MetricsExportUnavailableError(error);
  }
}

/**
 * Starts the OpenTelemetry metrics export when the settings (or `OTEL_METRICS_EXPORTER=otlp`)
 * ask for it, else returns undefined and loads nothing. Every interval the reader collects the
 * series of `registries()` (the current ops' prom-client registries: the same instruments as
 * `GET /metrics`, read at export time, nothing added on the request path) and posts them as
 * OTLP/HTTP JSON to `<endpoint>/v1/metrics`. Nothing is registered process-wide.
 */
export async function startMetricsExport(
  settings: MetricsExportSettings,
  serviceVersion: string,
  registries: () => ReadonlyArray<Registry<RegistryContentType>>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<MetricsExport | undefined> {
  if (!metricsExportWanted(settings, env)) return undefined;
  const { metrics, exporter: otlp, resources } = await loadSdk();
  const resource = bulwarkResource(resources, serviceVersion, settings.serviceName);
  const exporter = new otlp.OTLPMetricExporter({
    // Unset: the exporter reads OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, then OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/metrics), and the headers variables.
    url: settings.endpoint === undefined ? undefined : `${settings.endpoint.replace(/\/+$/, '')}/v1/metrics`,
    headers: settings.headers,
  });
  const producer = new PrometheusProducer(registries, metrics, Date, resource, serviceVersion);
  const intervalMs = settings.intervalMs ?? envMs(env, 'OTEL_METRIC_EXPORT_INTERVAL', DEFAULT_METRICS_EXPORT_INTERVAL_MS);
  const reader = new metrics.PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: intervalMs,
    // The SDK refuses a timeout longer than the interval.
    exportTimeoutMillis: Math.min(envMs(env, 'OTEL_METRIC_EXPORT_TIMEOUT', DEFAULT_METRICS_EXPORT_TIMEOUT_MS), intervalMs),
    metricProducers: [producer],
  });
  const provider = new metrics.MeterProvider({ resource, readers: [reader] });
  return {
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
