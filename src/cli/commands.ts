import type { Command } from './command.js';

/**
 * Every command, loaded lazily so `bulwark --help` stays instant. Each module's default export
 * is a {@link Command}.
 */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<{ default: Command }> }> = {
  serve: { summary: 'Run the gateway (OpenAI- and Anthropic-compatible resilient proxy)', load: () => import('./commands/serve.js') },
  config: { summary: 'Check a gateway config (config check FILE) or hash a gateway key', load: () => import('./commands/config.js') },
  mock: { summary: 'Run a mock OpenAI/Anthropic provider with injectable faults (default port 4010)', load: () => import('./commands/mock.js') },
  load: { summary: 'Load-test a gateway: open/closed models, HDR latency, k6-style thresholds, reports', load: () => import('./commands/load.js') },
  faults: { summary: 'Fault-injection proxy (latency, bandwidth, hangs, resets, HTTP errors) controlled at runtime', load: () => import('./commands/faults.js') },
  chaos: { summary: 'Run a chaos experiment (`chaos run FILE`): steady state, faults under load, rollbacks, verdict', load: () => import('./commands/chaos.js') },
  drill: { summary: 'Disaster-recovery drills (outage, hang, 429 storm, region loss, restart…) with TTD/RTO/SLA verdicts', load: () => import('./commands/drill.js') },
  alerts: { summary: 'Export the built-in alerts as Prometheus alerting rules (alerts export --format prometheus)', load: () => import('./commands/alerts.js') },
};
