import { z } from 'zod';
import { tenantsSchema } from './tenant-quota-schema.js';
import { OPENAI_COMPATIBLE_PRESET_NAMES, type OpenAICompatiblePresetName } from '../../llm/providers/openai-compatible-presets.js';
import { durationMs, durationSchema, positiveDurationSchema, sizeBytes } from './duration.js';
import { alertsSchema, healthSchema, sloSchema } from './ops-schema.js';
import { MAX_ANSWER_BYTES, MAX_BODY_LIMIT_BYTES, MAX_CACHE_BYTES, MAX_CACHE_ENTRIES, MIN_ANSWER_BYTES, MIN_BODY_LIMIT_BYTES, RESERVED_DEPLOYMENT_IDS } from './limits.js';
import { deploymentPoliciesSchema, ejectionSchema, policiesOverrideSchema, policiesSchema } from './policies-schema.js';
import * as D from './defaults.js';
import * as R from '../../llm/defaults.js';
import * as S from '../../state/defaults.js';
import { loadSheddingSchema, stateSchema } from './scale-out-schema.js';
import { accessLogSchema, metricsExportSchema, tracingSchema } from './observability-schema.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const name = (what: string) => z.string().regex(NAME, `must be letters, digits, '.', '_', ':' or '-' (a ${what})`);
const SHA256_HEX = /^[0-9a-f]{64}$/;
const sha256 = z.string().regex(SHA256_HEX, 'must be a sha256 hex digest (64 lowercase hex characters; run `printf %s "$KEY" | bulwark config hash-key`)');

/** HTTP listener and hardening. */
export const serverSchema = z.strictObject({
  host: z.string().min(1).default(D.DEFAULT_HOST).meta({ description: 'Bind address. Anything but loopback requires gateway keys.' }),
  port: z.int().min(0).max(65535).default(D.DEFAULT_PORT),
  bodyLimit: sizeBytes({ min: MIN_BODY_LIMIT_BYTES, max: MAX_BODY_LIMIT_BYTES }).default(D.DEFAULT_BODY_LIMIT_BYTES).meta({ description: 'Largest request body (413 above it), 1 KiB to 256 MiB.' }),
  // 0 would switch Node's guard off (no slowloris / slow-body cut at all), so it is refused.
  headersTimeoutMs: durationMs({ min: 1, why: '0 would switch off the slow-headers cut' }).default(D.DEFAULT_HEADERS_TIMEOUT_MS).meta({ description: 'A client must have sent its headers within this (at most requestTimeoutMs).' }),
  requestTimeoutMs: durationMs({ min: 1, why: '0 would switch off the slow-body cut' }).default(D.DEFAULT_REQUEST_TIMEOUT_MS).meta({ description: 'A client must have sent its whole request within this.' }),
  keepAliveTimeoutMs: durationMs({ min: 1, why: '0 would keep idle connections open forever' }).default(D.DEFAULT_KEEP_ALIVE_TIMEOUT_MS),
  shutdownGraceMs: durationSchema.default(D.DEFAULT_SHUTDOWN_GRACE_MS).meta({ description: 'On SIGTERM: time for requests in flight to finish.' }),
  drainDelayMs: durationSchema.default(D.DEFAULT_DRAIN_DELAY_MS).meta({
    description: 'On SIGTERM: keep accepting (with /readyz at 503) this long before closing the listener, so load balancers notice. Kubernetes: ~5s.',
  }),
}).superRefine((server, ctx) => {
  // Node refuses to start a server whose headers timeout exceeds its request timeout.
  if (server.headersTimeoutMs > server.requestTimeoutMs) {
    ctx.addIssue({ code: 'custom', path: ['headersTimeoutMs'], input: server.headersTimeoutMs, message: `must be at most requestTimeoutMs (${server.requestTimeoutMs} ms)` });
  }
});

/** An embedded mock provider started in the gateway's own process (demo and tests). */
export const mockSchema = z.strictObject({
  profile: z.unknown().optional().meta({
    description: 'Fault profile of the mock: a preset name ("healthy", "flaky", "down", …) or a profile object ' +
      '({ extends, default, models, deployments }); default healthy. See `bulwark mock --help`.',
  }),
  seed: z.int().optional().meta({ description: 'Seed of the mock\'s random source (reproducible faults).' }),
});

/** Which embedded mock (and which logical deployment of it) stands in for a provider. */
export const providerMockSchema = z.union([
  name('mock name'),
  z.strictObject({ name: name('mock name'), deployment: name('mock deployment').optional() }),
]);

export const providerSchema = z.strictObject({
  type: z.enum(['openai', 'azure', 'anthropic', 'gemini', 'vertex', 'bedrock']).meta({
    description: 'The API the provider speaks: openai (and any OpenAI-compatible server; see preset), azure, anthropic, ' +
      'gemini (Google AI Studio), vertex (Gemini or Anthropic models on Google Vertex AI), bedrock (AWS Bedrock Converse).',
  }),
  preset: z.enum(OPENAI_COMPATIBLE_PRESET_NAMES as [OpenAICompatiblePresetName, ...OpenAICompatiblePresetName[]]).optional().meta({
    description: 'type openai only: a known OpenAI-compatible server (its default baseUrl and quirks).',
  }),
  baseUrl: z.url({ protocol: /^https?$/ }).optional().meta({
    description: 'API root. Optional for gemini, vertex, bedrock and presets (their public endpoint is the default).',
  }),
  region: z.string().min(1).optional().meta({ description: 'vertex: the location (e.g. europe-west4, global); bedrock: the AWS region (e.g. us-east-1).' }),
  project: z.string().min(1).optional().meta({ description: 'vertex: the Google Cloud project id.' }),
  publisher: z.enum(['google', 'anthropic']).optional().meta({ description: 'vertex: whose models the deployments name (default google: Gemini).' }),
  googleCredentials: z.strictObject({
    serviceAccountJson: z.string().optional().meta({ description: 'Secret: a service-account key as JSON, written "${ENV_VAR}".' }),
    keyFile: z.string().optional().meta({ description: 'Path of a service-account key file.' }),
  }).optional().meta({ description: 'vertex: the credentials; when absent, Application Default Credentials.' }),
  awsCredentials: z.strictObject({
    accessKeyId: z.string(),
    secretAccessKey: z.string().meta({ description: 'Secret: write "${ENV_VAR}".' }),
    sessionToken: z.string().optional().meta({ description: 'Secret: write "${ENV_VAR}".' }),
  }).optional().meta({ description: 'bedrock: static credentials; when absent, the AWS default chain (environment, SSO, web identity, instance metadata).' }),
  apiKey: z.string().optional().meta({ description: 'Secret: write "${ENV_VAR}", never the key itself.' }),
  apiVersion: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  connections: z.int().min(1).max(4096).optional(),
  maxAnswerBytes: sizeBytes({ min: MIN_ANSWER_BYTES, max: MAX_ANSWER_BYTES }).optional().meta({ description: 'Largest non-streaming answer read from this provider, 1 KiB to 256 MiB (default "16MiB"); a longer one is cut off and fails as a 502.' }),
  mock: providerMockSchema.optional().meta({
    description: 'Embedded mock (see `mocks`) that serves this provider when it has no apiKey or no baseUrl: ' +
      'a mock name, or { name, deployment } to give the provider its own fault profile section.',
  }),
});

const deploymentId = name('deployment id').refine((id) => !RESERVED_DEPLOYMENT_IDS.has(id), {
  message: `must not be ${[...RESERVED_DEPLOYMENT_IDS].join(', ').replace(/, (\w+)$/, ' or $1')} (reserved: x-bulwark-served-by values)`,
});

export const deploymentSchema = z.strictObject({
  id: deploymentId,
  provider: z.string().min(1),
  model: z.string().min(1),
  region: z.string().optional(),
  weight: z.number().positive().optional(),
  priority: z.int().min(0).optional(),
  rpm: z.int().min(1).optional(),
  tpm: z.int().min(1).optional(),
  contextWindow: z.int().min(1).optional(),
  canContinue: z.boolean().optional(),
  policies: deploymentPoliciesSchema.optional(),
});

export const modelGroupSchema = z.strictObject({
  deployments: z.array(deploymentSchema).min(1, 'a model group needs at least one deployment'),
  balancer: z.enum(['p2c-ewma', 'round-robin', 'least-outstanding', 'usage']).optional(),
  policies: policiesOverrideSchema.optional(),
  ejection: ejectionSchema.optional(),
});

export const routeSchema = z.strictObject({
  name: z.string().min(1).meta({ description: 'The model name clients ask for, e.g. "gpt-4".' }),
  chain: z.array(z.string().min(1)).min(1, 'a route needs at least one model group in its chain'),
  cache: z.boolean().optional(),
  cacheTtlMs: durationSchema.optional(),
  staleIfError: z.boolean().optional(),
  defaultResponse: z.string().optional(),
  contextWindowFallbacks: z.array(z.string().min(1)).optional(),
  contentPolicyFallbacks: z.array(z.string().min(1)).optional(),
  coalesce: z.boolean().optional(),
  streamFailover: z.enum(['continue', 'error']).optional(),
  onUnsupported: z.enum(['reject', 'drop']).optional().meta({ description: 'A field a deployment API cannot carry: reject (skip it; 400 naming the field when none can) or drop (listed in x-bulwark-dropped). Default reject.' }),
  totalTimeoutMs: positiveDurationSchema.optional(),
  required: z.boolean().optional(),
});

export const cacheSchema = z.strictObject({
  maxEntries: z.int().min(1).max(MAX_CACHE_ENTRIES).default(R.DEFAULT_CACHE_MAX_ENTRIES),
  maxBytes: sizeBytes({ min: 1, max: MAX_CACHE_BYTES }).default(S.DEFAULT_CACHE_MAX_BYTES).meta({ description: 'Byte budget of the in-memory response cache (least recently used evicted beyond it), up to 4 GiB, e.g. "64MiB" (the default).' }),
  ttlMs: durationSchema.default(R.DEFAULT_CACHE_TTL_MS),
  staleTtlMs: durationSchema.default(R.DEFAULT_CACHE_STALE_TTL_MS),
});

export const gatewayKeySchema = z.strictObject({
  tenant: name('tenant'),
  sha256,
  rpm: z.int().min(1).optional().meta({ description: 'Requests per minute for this key (429 above it).' }),
  priority: z.enum(['low', 'normal', 'high']).default('normal'),
});

export const authSchema = z.strictObject({
  keys: z.array(gatewayKeySchema).default([]),
  adminKeySha256: sha256.optional(),
});

/** The whole `bulwark.yaml`. */
export const gatewayConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    server: serverSchema.prefault({}),
    logging: z.strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(D.DEFAULT_LOG_LEVEL),
      access: accessLogSchema.prefault({}),
    }).prefault({}),
    tracing: tracingSchema.prefault({}),
    metricsExport: metricsExportSchema.prefault({}),
    mocks: z.record(name('mock name'), mockSchema).default({}),
    providers: z.record(name('provider name'), providerSchema),
    modelGroups: z.record(name('model group name'), modelGroupSchema),
    routes: z.array(routeSchema).min(1, 'at least one route is needed'),
    policies: policiesSchema.prefault({}),
    cache: cacheSchema.prefault({}),
    defaultResponse: z.string().optional().meta({ description: 'Default answer for routes without their own.' }),
    auth: authSchema.prefault({}),
    alerts: alertsSchema.prefault({}),
    slo: sloSchema.prefault({}),
    state: stateSchema.prefault({}),
    loadShedding: loadSheddingSchema.prefault({}),
    tenants: tenantsSchema.meta({ description: 'Per-tenant quotas (concurrency, tokens per minute, tokens per day), across replicas.' }),
    health: healthSchema.prefault({}),
  })
  .meta({ title: 'Bulwark gateway configuration', description: 'bulwark.yaml: providers, model groups, routes, policies.' });

/** A validated config, durations in ms and sizes in bytes, defaults filled in. */
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
/** The config as written. */
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
export type ProviderEntry = z.output<typeof providerSchema>;
export type GatewayKeyEntry = z.output<typeof gatewayKeySchema>;
