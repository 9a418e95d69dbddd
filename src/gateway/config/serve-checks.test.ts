import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import type { GatewayConfig } from './schema.js';
import { serveChecks } from './serve-checks.js';

// The last stage of the validation runs serve's own validators on a config the schema accepted.
// Here the schema is bypassed (each config is edited after parsing), to show that a rule missing
// from the schema would still be refused at config time, at the config path.

const VALID = parseConfig(`
providers:
  p: { type: openai, baseUrl: "https://api.openai.com/v1", apiKey: "\${OPENAI_API_KEY:-}" }
modelGroups:
  chat: { deployments: [ { id: a, provider: p, model: gpt-4o } ] }
routes:
  - { name: gpt-4, chain: [chat] }
`, { env: {} });

const edited = (edit: (c: GatewayConfig) => void): GatewayConfig => {
  const copy = structuredClone(VALID);
  edit(copy);
  return copy;
};

const ROWS: Array<[string, (c: GatewayConfig) => void, string]> = [
  ['the router: breaker openMs 0', (c) => void (c.policies.breaker.openMs = 0), 'policies.breaker.openMs'],
  ['the router: a reserved deployment id', (c) => void (c.modelGroups.chat.deployments[0].id = 'cache'), 'modelGroups.chat.deployments[0].id'],
  ['the router: a total timeout of 0', (c) => void (c.routes[0].totalTimeoutMs = 0), 'routes[0].totalTimeoutMs'],
  ['the router: an answer cap of 10 bytes', (c) => void (c.providers.p.maxAnswerBytes = 10), 'providers.p.maxAnswerBytes'],
  ['the balancer: ejection max below base', (c) => void (c.modelGroups.chat.ejection = { baseEjectionMs: 60_000, maxEjectionMs: 1000 }), 'modelGroups.chat.ejection.maxEjectionMs'],
  ['ops: alerts evaluated every 0 ms', (c) => void (c.alerts.evaluateEvery = 0), 'alerts.evaluateEvery'],
  ['ops: probes every 10 ms', (c) => void (c.health.probeIntervalMs = 10), 'health.probeIntervalMs'],
  ['Node: headers timeout above request timeout', (c) => void (c.server.headersTimeoutMs = c.server.requestTimeoutMs + 1), 'server.headersTimeoutMs'],
];

describe('serveChecks: serve\'s validators, at config time, by config path', () => {
  it('finds nothing in a valid config', () => {
    expect(serveChecks(VALID)).toEqual([]);
  });

  it.each(ROWS)('%s', (_what, edit, path) => {
    const problems = serveChecks(edited(edit));
    expect(problems.map((p) => p.path)).toEqual([path]);
    expect(problems[0]!.message).toMatch(/must|reserved/);
    expect(problems[0]!.message).not.toMatch(/RouterConfig|^ops:/);
  });
});
