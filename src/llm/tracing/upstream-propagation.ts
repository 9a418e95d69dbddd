import diagnosticsChannel from 'node:diagnostics_channel';
import { context, propagation, trace } from '@opentelemetry/api';

interface UndiciRequestCreate {
  request: { addHeader(name: string, value: string): unknown };
}

const CHANNEL = 'undici:request:create';
let subscribed = false;

// Only the W3C fields the registered propagator writes; a header the request already has is left alone by the propagator's contract.
const carrierSetter = {
  set(carrier: UndiciRequestCreate['request'], key: string, value: string): void {
    carrier.addHeader(key, value);
  },
};

function onRequestCreate(message: unknown): void {
  const active = context.active();
  // Only requests made inside a traced attempt (or a traced caller) get the headers.
  if (trace.getSpanContext(active) === undefined) return;
  propagation.inject(active, (message as UndiciRequestCreate).request, carrierSetter);
}

/**
 * Sends the active trace context (`traceparent`, `tracestate`, through the registered
 * propagator) on every upstream request undici makes while a span is active — each attempt's
 * request then carries its CLIENT span as parent. Uses undici's diagnostics channel, so the
 * provider adapters need no change. Idempotent; the gateway calls it when tracing is on. A
 * library user who already runs `@opentelemetry/instrumentation-undici` does not need it.
 */
export function propagateTraceContextUpstream(): void {
  if (subscribed) return;
  subscribed = true;
  diagnosticsChannel.subscribe(CHANNEL, onRequestCreate);
}

/** Stops {@link propagateTraceContextUpstream} (tests, shutdown). */
export function stopTraceContextPropagation(): void {
  if (!subscribed) return;
  subscribed = false;
  diagnosticsChannel.unsubscribe(CHANNEL, onRequestCreate);
}
