import type * as Resources from '@opentelemetry/resources';
import { DEFAULT_TRACING_SERVICE_NAME } from './tracing-settings.js';

/**
 * The OpenTelemetry resource of Bulwark's traces and metrics: the SDK's defaults, then
 * `service.name` "bulwark" and `service.version`, then `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES`,
 * then the config file's `serviceName` (what is written in the config wins).
 */
export function bulwarkResource(resources: typeof Resources, serviceVersion: string, serviceName: string | undefined): Resources.Resource {
  const explicit: Record<string, string> = {};
  if (serviceName !== undefined) explicit['service.name'] = serviceName;
  return resources.defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': DEFAULT_TRACING_SERVICE_NAME, 'service.version': serviceVersion }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }))
    .merge(resources.resourceFromAttributes(explicit));
}
