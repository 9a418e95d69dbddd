import { createServer } from 'node:http';
import { resolveEjection, validateGroup } from '../../llm/balance/balancer-options.js';
import { validateRouterConfig } from '../../llm/router/validate-config.js';
import { opsConfigFrom } from '../../ops/config-sections.js';
import { resolveOpsConfig } from '../../ops/config.js';
import { opsSections } from './ops-sections.js';
import type { ConfigProblem } from './problems.js';
import type { GatewayConfig } from './schema.js';
import { toRouterConfig } from './to-router-config.js';

/** Ops names its fields after its own options; the config has them flat under `health`. */
const OPS_PATHS: Record<string, string> = { 'probes.interval': 'health.probeIntervalMs', 'probes.timeout': 'health.probeTimeoutMs', 'probes.enabled': 'health.probes' };

/** A validator's message (`RouterConfig.x.y must be …`, `ops: x.y must be …`) as a problem at the config path. */
function asProblem(message: string): ConfigProblem {
  const text = message.replace(/ \(got (.*)\)$/, ', got $1');
  const ops = /^ops: (\S+) (.*)$/s.exec(text);
  if (ops) return { path: OPS_PATHS[ops[1]!] ?? ops[1]!, message: ops[2]! };
  const field = /^(?:RouterConfig\.)?((?:providers|modelGroups|routes|policies|cache)[^\s]*) (.*)$/s.exec(text);
  if (field) return { path: field[1]!, message: field[2]! };
  const node = /^The value of "(\w+)" is out of range\. It (must be [^.]*)\. Received (.*)$/.exec(text);
  if (node) return { path: `server.${node[1]}Ms`, message: `${node[2]!.replace(/(\w+Timeout)\b/, '$1Ms')}, got ${node[3]}` };
  return { path: '(serve)', message: text };
}

function attempt(problems: ConfigProblem[], check: () => unknown): void {
  try {
    check();
  } catch (error) {
    problems.push(asProblem((error as Error).message));
  }
}

/**
 * What `bulwark serve` itself checks when it builds the gateway, run at config time on a config
 * the schema accepted: the router's validation (`validateRouterConfig`) and the balancers', ops'
 * (`resolveOpsConfig`) and Node's listener options. The schema states these rules for editors and
 * for one report of every problem; running serve's own validators here means the two can never
 * disagree (one set of rules: serve's), and a rule that is missing from the schema still shows
 * up in `config check`, by path, instead of as an internal name when serve starts.
 */
export function serveChecks(config: GatewayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const router = toRouterConfig(config, () => 'http://127.0.0.1:9').router;
  attempt(problems, () => validateRouterConfig(router));
  for (const [name, group] of Object.entries(router.modelGroups)) {
    attempt(problems, () => validateGroup(group, `modelGroups.${name}`));
    attempt(problems, () => resolveEjection(group.ejection, `modelGroups.${name}`));
  }
  attempt(problems, () => resolveOpsConfig(opsConfigFrom(opsSections(config))));
  // The server object is never listened on: it only runs Node's checks of the timeouts.
  attempt(problems, () => createServer({ headersTimeout: config.server.headersTimeoutMs, requestTimeout: config.server.requestTimeoutMs }).close());
  return problems;
}
