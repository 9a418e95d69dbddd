import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runExperiment } from '../../src/chaos/experiment/run-experiment.js';
import { interpolateEnv, parseExperiment } from '../../src/chaos/experiment/schema.js';
import { type MockProvider, startMockProvider } from '../../src/chaos/mock/index.js';
import { loadConfigFile } from '../../src/gateway/config/load.js';
import { type Gateway, startGateway } from '../../src/gateway/gateway.js';
import { createRouter } from '../../src/llm/router/index.js';

// The shipped example experiment, end to end: a real gateway and a real mock over sockets.
let mock: MockProvider | undefined;
let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.shutdown();
  await mock?.close();
});

const EXAMPLES = new URL('../../examples/experiments/', import.meta.url);

describe('examples/experiments/primary-outage.yaml against a real gateway', () => {
  it('passes: a full primary outage is absorbed (breaker opens, the secondary answers every request)', async () => {
    mock = await startMockProvider();
    const env = { ...process.env, MOCK_URL: mock.url };
    const config = await loadConfigFile(new URL('gateway.yaml', EXAMPLES).pathname, env);
    gateway = await startGateway({ config, createRouter, port: 0, host: '127.0.0.1' });
    const text = await readFile(new URL('primary-outage.yaml', EXAMPLES), 'utf8');
    const experiment = parseExperiment(parseYaml(interpolateEnv(text, { ...env, GATEWAY_URL: gateway.url })));
    // Shortened timeline (same steps): the shipped file runs for about 20 s.
    experiment.steadyState.probes[1] = { ...experiment.steadyState.probes[1], duration: 500 } as never;
    experiment.load = { ...experiment.load!, duration: 3000 };
    experiment.method = [{ action: 'wait', wait: 300 }, experiment.method[1], { action: 'wait', wait: 2000 }];

    const result = await runExperiment(experiment);
    expect(result.reasons).toEqual([]);
    expect(result.verdict).toBe('passed');
    const served = result.load!.servedBy;
    expect(served['secondary-gpt-4o-mini']).toBeGreaterThan(20);
    expect(served.error ?? 0).toBe(0);
    expect(mock.stats().byDeployment.primary?.byStatus['503']).toBeGreaterThanOrEqual(5);
    // The rollback removed the override.
    expect(mock.profile().deployments?.primary).toBeUndefined();
  });
});
