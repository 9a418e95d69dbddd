import { z } from 'zod';
import * as O from '../../ops/defaults.js';
import { durationMs } from './duration.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** `logging.access`: one structured line per request (see `docs/operations.md` → Access log). */
export const accessLogSchema = z.strictObject({
  enabled: z.boolean().default(O.DEFAULT_ACCESS_LOG_ENABLED).meta({ description: 'Write one JSON line per request: ids, tenant, route, served by, attempts, status, latency, TTFT, tokens, degraded. Never prompts, answers or keys.' }),
  level: z.enum(LEVELS).default(O.DEFAULT_ACCESS_LOG_LEVEL).meta({ description: 'Level of the access-log lines (they are written only when `logging.level` lets that level through).' }),
  sampleRatio: z.number().min(0).max(1).default(O.DEFAULT_ACCESS_LOG_SAMPLE_RATIO).meta({ description: 'Share of successful requests logged; failures (status >= 500 or a degraded answer) are always logged.' }),
});

/** `metricsExport`: the `/metrics` series pushed as OpenTelemetry metrics over OTLP/HTTP. Unset fields fall back to the standard OTEL_* environment variables. */
export const metricsExportSchema = z.strictObject({
  enabled: z.boolean().default(false).meta({ description: 'Export the metrics over OTLP/HTTP (OTEL_METRICS_EXPORTER=otlp also enables it; OTEL_SDK_DISABLED=true disables). Needs the optional @opentelemetry SDK packages.' }),
  endpoint: z.url({ protocol: /^https?$/ }).optional().meta({ description: 'OTLP/HTTP base URL, e.g. http://otel-collector:4318 (else OTEL_EXPORTER_OTLP_[METRICS_]ENDPOINT).' }),
  headers: z.record(z.string(), z.string()).optional().meta({ description: 'Export request headers (else OTEL_EXPORTER_OTLP_[METRICS_]HEADERS). Secrets as "${ENV_VAR}".' }),
  serviceName: z.string().min(1).optional().meta({ description: 'service.name (else OTEL_SERVICE_NAME, else "bulwark").' }),
  interval: durationMs({ min: 1000, why: 'an export is a request to the collector' }).optional().meta({ description: 'How often to export (else OTEL_METRIC_EXPORT_INTERVAL, else 60s).' }),
});

/** `tracing`: OpenTelemetry traces over OTLP/HTTP. Unset fields fall back to the standard OTEL_* environment variables. */
export const tracingSchema = z.strictObject({
  enabled: z.boolean().default(false).meta({ description: 'Export traces (OTEL_TRACES_EXPORTER=otlp also enables them; OTEL_SDK_DISABLED=true disables). Needs the optional @opentelemetry SDK packages.' }),
  endpoint: z.url({ protocol: /^https?$/ }).optional().meta({ description: 'OTLP/HTTP base URL, e.g. http://otel-collector:4318 (else OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT).' }),
  headers: z.record(z.string(), z.string()).optional().meta({ description: 'Export request headers (else OTEL_EXPORTER_OTLP_HEADERS). Secrets as "${ENV_VAR}".' }),
  serviceName: z.string().min(1).optional().meta({ description: 'service.name (else OTEL_SERVICE_NAME, else "bulwark").' }),
  sampleRatio: z.number().min(0).max(1).optional().meta({ description: 'Share of new traces kept, parent-based (else OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, else all).' }),
  captureContent: z.boolean().default(false).meta({ description: 'Record prompts and answers on spans (gen_ai.input.messages / gen_ai.output.messages). Off: they never are. Keys never are.' }),
});
