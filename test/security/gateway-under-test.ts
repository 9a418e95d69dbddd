/**
 * The gateway the security suite attacks: two tenants (keys A and B), OpenAI and Anthropic
 * providers that are real HTTP upstreams (a {@link ScriptedUpstream}) with canary API keys taken
 * from the environment, and routes whose breakers open after 2 failures.
 */
import { createHash } from 'node:crypto';
import { parseConfig } from '../../src/gateway/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { defaultRouterFactory } from '../../src/gateway/router-factory.js';
import { SecretRedactor } from '../../src/gateway/secrets/secret-redactor.js';
import { memoryLogger } from '../gateway/helpers.js';

export const TENANT_A_KEY = 'tenant-a-key-0123456789abcdef';
export const TENANT_B_KEY = 'tenant-b-key-0123456789abcdef';
export const ADMIN_KEY = 'admin-key-0123456789abcdef012345';
/** Canary provider keys: they must never leave the process. */
export const OPENAI_CANARY = 'sk-canary-openai-5f2b8c1d9e7a4f3b';
export const ANTHROPIC_CANARY = 'sk-ant-canary-anthropic-8d1e3a9c7b2f';
export const CANARIES = [OPENAI_CANARY, ANTHROPIC_CANARY];

const sha = (key: string) => createHash('sha256').update(key).digest('hex');


/**
 * The config YAML; `extra` is appended (top-level sections), `policies` added to the policies
 * section; `sharedPrimary` puts primary-gpt and secondary-gpt in one group (gpt) for hedging.
 */
export function securityConfigYaml(upstreamUrl: string, extra = '', failureThreshold = 2, policies = '', sharedPrimary = false): string {
  const gptGroups = sharedPrimary
    ? 'gpt: { balancer: round-robin, deployments: [ { id: primary-gpt, provider: openai-a, model: gpt-4o }, { id: secondary-gpt, provider: openai-b, model: gpt-4o-mini } ] }\n  gpt-mini: { deployments: [ { id: tertiary-gpt, provider: openai-b, model: gpt-4o-mini } ] }'
    : 'gpt: { deployments: [ { id: primary-gpt, provider: openai-a, model: gpt-4o } ] }\n  gpt-mini: { deployments: [ { id: secondary-gpt, provider: openai-b, model: gpt-4o-mini } ] }';
  return `
server: { port: 0 }
logging: { level: debug }
providers:
  openai-a: { type: openai, baseUrl: "${upstreamUrl}/v1", apiKey: "\${OPENAI_KEY}" }
  openai-b: { type: openai, baseUrl: "${upstreamUrl}/v1", apiKey: "\${OPENAI_KEY}" }
  anthropic-a: { type: anthropic, baseUrl: "${upstreamUrl}", apiKey: "\${ANTHROPIC_KEY}" }
  anthropic-b: { type: anthropic, baseUrl: "${upstreamUrl}", apiKey: "\${ANTHROPIC_KEY}" }
modelGroups:
  ${gptGroups}
  sonnet: { deployments: [ { id: primary-sonnet, provider: anthropic-a, model: claude-sonnet-4-5 } ] }
  haiku: { deployments: [ { id: secondary-haiku, provider: anthropic-b, model: claude-haiku-4-5 } ] }
routes:
  - { name: gpt-4, chain: [gpt, gpt-mini] }
  - { name: claude-sonnet, chain: [sonnet, haiku] }
policies:
  retry: { maxAttempts: 1 }
  breaker: { failureThreshold: ${failureThreshold}, openMs: 60s }
  ${policies}
auth:
  keys:
    - { tenant: tenant-a, sha256: ${sha(TENANT_A_KEY)} }
    - { tenant: tenant-b, sha256: ${sha(TENANT_B_KEY)} }
  adminKeySha256: ${sha(ADMIN_KEY)}
${extra}`;
}

/** A started gateway with its log lines kept in memory. */
export interface GatewayUnderTest {
  gateway: Gateway;
  logLines: string[];
}

/** Starts the gateway in-process on an ephemeral port against `upstreamUrl`. */
export async function startGatewayUnderTest(upstreamUrl: string, extra = '', failureThreshold = 2, policies = '', sharedPrimary = false): Promise<GatewayUnderTest> {
  // As `bulwark serve` does: one redactor for the answers and the log lines.
  const redactor = new SecretRedactor();
  const { logger, lines } = memoryLogger('debug', redactor);
  const config = parseConfig(securityConfigYaml(upstreamUrl, extra, failureThreshold, policies, sharedPrimary), {
    source: 'security.yaml', env: { OPENAI_KEY: OPENAI_CANARY, ANTHROPIC_KEY: ANTHROPIC_CANARY },
  });
  const gateway = await Gateway.start({ config, createRouter: defaultRouterFactory, logger, redactor });
  return { gateway, logLines: lines };
}

/** POSTs JSON to the gateway as a tenant. */
export function post(gateway: Gateway, path: string, key: string, body: unknown): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });
}

/** Breaker states by deployment id, read through the admin API. */
export async function breakerStates(gateway: Gateway): Promise<Record<string, string>> {
  const res = await fetch(`${gateway.url}/admin/breakers`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  const json = await res.json() as { deployments?: { id: string; breaker: string }[] };
  return Object.fromEntries((json.deployments ?? []).map((d) => [d.id, d.breaker]));
}
