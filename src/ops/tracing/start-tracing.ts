import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { propagateTraceContextUpstream, stopTraceContextPropagation } from '../../llm/tracing/upstream-propagation.js';
import { setTraceContentCapture } from '../../llm/tracing/content-capture.js';
import { TRACER_NAME } from '../../llm/tracing/request-trace.js';
import { bulwarkResource } from './otel-resource.js';
import { tracingWanted, type TracingSettings } from './tracing-settings.js';

/** The running OpenTelemetry trace pipeline (provider, batch processor, OTLP/HTTP exporter). */
export interface Tracing {
  /** Bulwark's tracer (the gateway's server spans). */
  readonly tracer: Tracer;
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Flushes, stops exporting and unregisters the global provider, context manager and propagator. */
  shutdown(): Promise<void>;
}

/** Thrown when tracing is on but the optional OpenTelemetry SDK packages are not installed. */
export class TracingUnavailableError extends Error {
  readonly code = 'BULWARK_ERR_TRACING_UNAVAILABLE';
  constructor(cause: unknown) {
    super(
      'Tracing is enabled but the OpenTelemetry SDK is not installed: npm install @opentelemetry/sdk-trace-base @opentelemetry/exporter-trace-otlp-http '
        + '@opentelemetry/resources @opentelemetry/core @opentelemetry/context-async-hooks (they are optionalDependencies of bulwark)',
      { cause },
    );
    this.name = 'TracingUnavailableError';
  }
}

// Loaded only when tracing is on: without it, none of the SDK is imported (nor needs to be installed).
async function loadSdk() {
  try {
    const [base, exporter, resources, core, hooks] = await Promise.all([
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/core'),
      import('@opentelemetry/context-async-hooks'),
    ]);
    return { base, exporter, resources, core, hooks };
  } catch (error) {
    throw new TracingUnavailableError(error);
  }
}

/**
 * Starts tracing when the settings (or `OTEL_TRACES_EXPORTER`) ask for it, else returns
 * undefined and loads nothing. Registers, process-wide, a tracer provider (parent-based sampler,
 * batch span processor, OTLP/HTTP JSON exporter), an AsyncLocalStorage context manager and the
 * W3C trace-context + baggage propagator, and sends `traceparent` on upstream requests. The
 * router's spans (`src/llm/tracing`) then record through `@opentelemetry/api`.
 */
export async function startTracing(settings: TracingSettings, serviceVersion: string, env: NodeJS.ProcessEnv = process.env): Promise<Tracing | undefined> {
  if (!tracingWanted(settings, env)) return undefined;
  const { base, exporter: otlp, resources, core, hooks } = await loadSdk();
  const resource = bulwarkResource(resources, serviceVersion, settings.serviceName);
  const exporter = new otlp.OTLPTraceExporter({
    url: settings.endpoint === undefined ? undefined : `${settings.endpoint.replace(/\/+$/, '')}/v1/traces`,
    headers: settings.headers,
  });
  const provider = new base.BasicTracerProvider({
    resource,
    // Unset: the SDK reads OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default parentbased_always_on).
    sampler: settings.sampleRatio === undefined
      ? undefined
      : new base.ParentBasedSampler({ root: new base.TraceIdRatioBasedSampler(settings.sampleRatio) }),
    spanProcessors: [new base.BatchSpanProcessor(exporter)],
  });
  const contextManager = new hooks.AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new core.CompositePropagator({ propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(provider);
  setTraceContentCapture(settings.captureContent);
  propagateTraceContextUpstream();
  return {
    tracer: provider.getTracer(TRACER_NAME, serviceVersion),
    flush: () => provider.forceFlush(),
    async shutdown() {
      stopTraceContextPropagation();
      setTraceContentCapture(false);
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
