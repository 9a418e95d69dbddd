/** Default service name on spans when neither the config nor `OTEL_SERVICE_NAME` names one. */
export const DEFAULT_TRACING_SERVICE_NAME = 'bulwark';

/**
 * The gateway's `tracing:` section. Every field left out falls back to the standard `OTEL_*`
 * environment variable the OpenTelemetry SDK reads (`OTEL_EXPORTER_OTLP_ENDPOINT` /
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`,
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`, `OTEL_BSP_*`),
 * then to the SDK's defaults: a value written in the config file wins over the environment.
 */
export interface TracingSettings {
  /** Off by default; `OTEL_TRACES_EXPORTER=otlp` in the environment also turns it on, `OTEL_SDK_DISABLED=true` forces it off. */
  enabled: boolean;
  /** OTLP/HTTP base URL, e.g. `http://otel-collector:4318` (spans go to `<endpoint>/v1/traces`). */
  endpoint?: string;
  /** Extra headers on export requests (e.g. a collector's auth token: write it as `${ENV_VAR}`). */
  headers?: Record<string, string>;
  serviceName?: string;
  /** Share of new traces recorded (0..1), parent-based: a sampled caller's trace is always kept. */
  sampleRatio?: number;
  /** Record prompts and answers on spans (`gen_ai.input.messages` / `gen_ai.output.messages`). Default false. */
  captureContent: boolean;
}

/** True when tracing should run: asked for in the config or by `OTEL_TRACES_EXPORTER`, and not disabled by `OTEL_SDK_DISABLED`. */
export function tracingWanted(settings: TracingSettings, env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (settings.enabled) return true;
  const exporters = env.OTEL_TRACES_EXPORTER?.split(',').map((e) => e.trim().toLowerCase()) ?? [];
  return exporters.includes('otlp');
}
