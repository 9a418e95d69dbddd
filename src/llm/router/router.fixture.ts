import { FakeClock } from '../../core/fake-clock.js';
import { startMockProvider, type MockProvider } from '../../chaos/mock/index.js';
import type { DeploymentPolicies, RouteConfig, RouterConfig } from '../router-config.js';
import type { ChatRequest, Router } from '../types.js';
import { createRouter } from './create-router.js';
import type { RouterControl } from './router-control.js';
import type { RouterDeps } from './router-deps.js';

/**
 * Test fixture: a mock provider with logical deployments `primary` (gpt-4o), `secondary`
 * (gpt-4o-mini) and optional extras, a router on a FakeClock whose route `gpt-4` chains
 * group `gpt4` → group `gpt35`. Retry backoff is 0 so only server hints and timeouts need the
 * clock to move.
 */
export interface Fixture {
  mock: MockProvider;
  clock: FakeClock;
  router: Router & RouterControl;
  config: RouterConfig;
  /** Upstream requests the mock received for a deployment. */
  calls(deployment: string): number;
  close(): Promise<void>;
}

export interface FixtureOptions {
  route?: Partial<RouteConfig>;
  policies?: DeploymentPolicies;
  /** Extra groups `name → deployments` (each deployment id is also its mock deployment name). */
  extraGroups?: Record<string, Array<{ id: string; model?: string; dialect?: 'openai' | 'anthropic'; canContinue?: boolean }>>;
  canContinue?: { primary?: boolean; secondary?: boolean };
  dialect?: 'openai' | 'anthropic';
  deps?: RouterDeps;
  /** The mock paces streams (tokenDelayMs) on the router's FakeClock too. */
  mockOnFakeClock?: boolean;
  /** Replace the config before the router is built. */
  edit?: (config: RouterConfig) => void;
}

export async function startFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const clock = new FakeClock();
  const mock = await startMockProvider(options.mockOnFakeClock ? { clock } : {});
  const provider = (id: string, dialect: 'openai' | 'anthropic' = options.dialect ?? 'openai') =>
    dialect === 'openai'
      ? { type: 'openai' as const, baseUrl: `${mock.deploymentUrl(id)}/v1`, apiKey: `sk-test-${id}` }
      : { type: 'anthropic' as const, baseUrl: mock.deploymentUrl(id), apiKey: `sk-ant-test-${id}` };
  const model = (dialect: 'openai' | 'anthropic' | undefined, fallback: string) => ((dialect ?? options.dialect) === 'anthropic' ? 'claude-sonnet-4-5' : fallback);
  const config: RouterConfig = {
    providers: { primary: provider('primary'), secondary: provider('secondary') },
    modelGroups: {
      gpt4: { deployments: [{ id: 'primary', provider: 'primary', model: model(undefined, 'gpt-4o'), canContinue: options.canContinue?.primary }] },
      gpt35: { deployments: [{ id: 'secondary', provider: 'secondary', model: model(undefined, 'gpt-4o-mini'), canContinue: options.canContinue?.secondary }] },
    },
    routes: [{ name: 'gpt-4', chain: ['gpt4', 'gpt35'], ...options.route }],
    policies: { retry: { baseDelayMs: 0, maxDelayMs: 0 }, ...options.policies },
  };
  for (const [group, deployments] of Object.entries(options.extraGroups ?? {})) {
    for (const d of deployments) config.providers[d.id] = provider(d.id, d.dialect);
    config.modelGroups[group] = {
      deployments: deployments.map((d) => ({ id: d.id, provider: d.id, model: d.model ?? model(d.dialect, 'gpt-4o'), canContinue: d.canContinue })),
    };
  }
  options.edit?.(config);
  const router = createRouter(config, { clock, ...options.deps });
  return {
    mock,
    clock,
    router,
    config,
    calls: (deployment) => mock.stats().byDeployment[deployment]?.requests ?? 0,
    close: async () => {
      await router.close();
      await mock.close();
    },
  };
}

/** A one-message request to route `gpt-4`. */
export function ask(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'gpt-4', messages: [{ role: 'user', content: text }], ...extra };
}

/** Waits (real time, polling) until `condition` holds; fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('until: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
