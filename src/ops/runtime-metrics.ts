import { collectDefaultMetrics, Registry, type RegistryContentType } from 'prom-client';

/** Event-loop delay sampling resolution (ms) of `nodejs_eventloop_lag_*`. */
export const EVENT_LOOP_MONITORING_PRECISION_MS = 10;

const registries = new Map<string, Registry<RegistryContentType>>();

/**
 * The process's Node runtime metrics (prom-client's default set: event-loop lag p50/p90/p99,
 * heap spaces and totals, GC durations by kind, CPU, RSS, handles, open file descriptors),
 * collected once per process and content type whatever the number of ops instances: ops is
 * rebuilt on reloads and stats resets, and the event-loop monitor and GC observer they rest on
 * are process-wide.
 */
export function runtimeRegistry(contentType: RegistryContentType = Registry.PROMETHEUS_CONTENT_TYPE): Registry<RegistryContentType> {
  let registry = registries.get(contentType);
  if (registry === undefined) {
    registry = new Registry<RegistryContentType>();
    registry.setContentType(contentType);
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_MONITORING_PRECISION_MS });
    registries.set(contentType, registry);
  }
  return registry;
}
