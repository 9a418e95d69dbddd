/**
 * Example 02 — model fallbacks: primary model → secondary model → response cache → default answer.
 *
 *   node --import tsx examples/02-model-fallbacks.ts     (or: npm run example:02)
 *
 * Starts the built-in mock provider with two logical deployments, builds a router whose route
 * `gpt-4` chains the `gpt-4` group (primary) to the `gpt-3.5-turbo` group (secondary), then the
 * cache (stale-if-error) and a default answer. It asks questions while the primary is healthy,
 * while it fails, and while everything fails, and prints who served each answer.
 */
import { startMockProvider } from '../src/chaos/mock/index.js';
import { createRouter, type RouterConfig } from '../src/index.js';

const mock = await startMockProvider();

const config: RouterConfig = {
  providers: {
    'openai-primary': { type: 'openai', baseUrl: `${mock.deploymentUrl('primary')}/v1`, apiKey: 'sk-demo-primary' },
    'openai-secondary': { type: 'openai', baseUrl: `${mock.deploymentUrl('secondary')}/v1`, apiKey: 'sk-demo-secondary' },
  },
  modelGroups: {
    'gpt-4': { deployments: [{ id: 'gpt4-primary', provider: 'openai-primary', model: 'gpt-4o' }] },
    'gpt-3.5-turbo': { deployments: [{ id: 'gpt35-secondary', provider: 'openai-secondary', model: 'gpt-4o-mini' }] },
  },
  routes: [
    {
      name: 'gpt-4',
      chain: ['gpt-4', 'gpt-3.5-turbo'],
      defaultResponse: 'The assistant is temporarily unavailable ({{model}}, request {{request_id}}). Please try again shortly.',
    },
  ],
  // Short backoff so the demo runs in well under a second.
  policies: { retry: { baseDelayMs: 10, maxDelayMs: 50 } },
};

const router = createRouter(config);
let n = 0;

async function ask(situation: string, question: string): Promise<void> {
  const { response, served } = await router.chat(
    { model: 'gpt-4', messages: [{ role: 'user', content: question }] },
    { requestId: `demo-${++n}` },
  );
  const who = served.servedBy === 'gpt4-primary' ? 'primary' : served.servedBy === 'gpt35-secondary' ? 'secondary' : served.servedBy;
  console.log(
    `${String(n).padEnd(3)}${situation.padEnd(24)}served by ${who.padEnd(10)}` +
      `(x-bulwark-served-by=${served.servedBy}, attempts=${served.attempts}, depth=${served.fallbackDepth}, degraded=${served.degraded})`,
  );
  console.log(`     Q: ${question}\n     A: ${response.content}\n`);
}

try {
  console.log('Route gpt-4: gpt-4 (primary) → gpt-3.5-turbo (secondary) → cache → default answer\n');
  await ask('all healthy', 'What does a circuit breaker do?');

  mock.patchProfile({ deployments: { primary: { errors: { '500': 1 } } } });
  await ask('primary failing', 'Why retry with jitter?');

  mock.patchProfile({ default: { errors: { '503': 1 } } });
  await ask('everything failing', 'What does a circuit breaker do?');
  await ask('everything failing', 'A question nobody asked before?');

  const stats = mock.stats().byDeployment;
  console.log(`Upstream calls: primary ${stats.primary?.requests ?? 0}, secondary ${stats.secondary?.requests ?? 0}`);
} finally {
  await router.close();
  await mock.close();
}
