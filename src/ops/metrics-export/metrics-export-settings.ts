/** Default export interval when neither the config nor `OTEL_METRIC_EXPORT_INTERVAL` sets one (ms; the OpenTelemetry default). */
export const DEFAULT_METRICS_EXPORT_INTERVAL_MS = 60_000;
/** Default export timeout when neither the config nor `OTEL_METRIC_EXPORT_TIMEOUT` sets one (ms; the OpenTelemetry default). */
export const DEFAULT_METRICS_EXPORT_TIMEOUT_MS = 30_000;

/**
 * The gateway's `metricsExport:` section: the series of `GET /metrics`, also pushed over
 * OTLP/HTTP. Every field left out falls back to the standard `OTEL_*` environment variable
 * (`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_[METRICS_]HEADERS`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
 * `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_METRIC_EXPORT_TIMEOUT`), then to the SDK's defaults.
 */
export interface MetricsExportSettings {
  /** Off by default; `OTEL_METRICS_EXPORTER=otlp` also turns it on, `OTEL_SDK_DISABLED=true` forces it off. */
  enabled: boolean;
  /** OTLP/HTTP base URL, e.g. `http://otel-collector:4318` (metrics go to `<endpoint>/v1/metrics`). */
  endpoint?: string;
  /** Extra headers on export requests (a collector's token: write it as `${ENV_VAR}`). */
  headers?: Record<string, string>;
  serviceName?: string;
  /** How often the metrics are exported (ms). */
  intervalMs?: number;
}

/** True when metrics should be exported: asked for in the config or by `OTEL_METRICS_EXPORTER`, and not disabled by `OTEL_SDK_DISABLED`. */
export function metricsExportWanted(settings: MetricsExportSettings, env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (settings.enabled) return true;
  const exporters = env.OTEL_METRICS_EXPORTER?.split(',').map((e) => e.trim().toLowerCase()) ?? [];
  return exporters.includes('otlp');
}

/** A positive integer from the environment (ms), else `fallback`. */
export function envMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}
