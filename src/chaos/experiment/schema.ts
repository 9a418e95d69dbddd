import { z } from 'zod';
import { parseDuration } from '../../core/duration.js';
import { describeIssue } from '../issues.js';
import { parseThreshold } from '../load/thresholds.js';

/**
 * A chaos experiment (`bulwark chaos run experiment.yaml`): a steady-state hypothesis checked
 * before and after, a method (a timeline of fault actions, with waits) run while load flows,
 * and rollbacks that always run.
 */
const duration = z.union([z.number().min(0), z.string()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const httpProbe = z.object({
  name: z.string(),
  type: z.literal('http'),
  /** A path on the gateway (`/readyz`) or a full URL. */
  url: z.string(),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  body: z.unknown().optional(),
  /** Accepted statuses. Default [200]. */
  expectStatus: z.union([z.number().int(), z.array(z.number().int())]).default([200]).transform((s) => (Array.isArray(s) ? s : [s])),
  /** Substring the body must contain. */
  expectBodyContains: z.string().optional(),
});

const loadProbe = z.object({
  name: z.string(),
  type: z.literal('load'),
  rate: z.number().positive().default(10),
  duration: duration.default(5000),
  model: z.string().optional(),
  stream: z.boolean().default(false),
  /** Retry connections refused or reset before any response, as a client behind a load balancer does. Default false. */
  retryConnectionErrors: z.boolean().default(false),
  tolerance: z.object({
    /** Minimum share of successful requests, 0..1. */
    successRate: z.number().min(0).max(1).optional(),
    /** Maximum p95 latency in ms. */
    p95Ms: z.number().positive().optional(),
    p99Ms: z.number().positive().optional(),
  }),
});

/** A steady-state probe: `http` (status and body check) or `load` (a short load run with tolerances). */
export const probeSchema = z.discriminatedUnion('type', [httpProbe, loadProbe]);

// A `{ wait }` step is given the pseudo-action `wait` so that every step is told apart by its
// `action`: a bad step is then reported against its own fields, not as "Invalid input".
const step = z.preprocess((value) => (value !== null && typeof value === 'object' && 'wait' in value && !('action' in value) ? { action: 'wait', ...value } : value), z.discriminatedUnion('action', [
  z.object({ action: z.literal('wait'), wait: duration }).strict(),
  z.object({ action: z.literal('mock.profile'), preset: z.string().optional(), profile: z.unknown().optional(), patch: z.unknown().optional() }).strict()
    .refine((s) => [s.preset, s.profile, s.patch].filter((v) => v !== undefined).length === 1, 'give exactly one of preset, profile or patch'),
  z.object({ action: z.literal('mock.reset') }).strict(),
  z.object({ action: z.literal('faults.add'), toxic: z.record(z.string(), z.unknown()) }).strict(),
  z.object({ action: z.literal('faults.remove'), name: z.string() }).strict(),
  z.object({ action: z.literal('faults.reset') }).strict(),
  // `//host/...` would resolve to another host and carry the admin key there.
  z.object({ action: z.literal('gateway.admin'), method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'), path: z.string().regex(/^\/(?!\/)/, 'expected a path on the gateway, starting with one /'), body: z.unknown().optional() }).strict(),
  z.object({ action: z.literal('http'), method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'), url: z.string().url(), body: z.unknown().optional(), headers: z.record(z.string(), z.string()).optional() }).strict(),
  z.object({ action: z.literal('probe'), probe: probeSchema }).strict(),
  // Chaos Monkey: SIGKILL a random replica of `replicas` (no drain), then start it again after `restartAfter`.
  z.object({ action: z.literal('replica.kill'), restart: z.boolean().default(true), restartAfter: duration.default(0) }).strict(),
  z.object({ action: z.literal('replica.start') }).strict(),
]));

/** The experiment file format, validated once by {@link parseExperiment}. */
export const experimentSchema = z.object({
  title: z.string(),
  description: z.string().optional(),
  target: z.object({
    /** The gateway (or any OpenAI-compatible server) the load and probes go to; with `replicas`, left out (the balancer's URL). */
    gateway: z.string().url().optional(),
    /** The mock provider's base URL, for `mock.*` actions. */
    mock: z.string().url().optional(),
    /** The fault proxy's control API, for `faults.*` actions. */
    faults: z.string().url().optional(),
    /** Gateway key for load and probes, and admin key for `gateway.admin`. */
    apiKey: z.string().optional(),
    adminKey: z.string().optional(),
  }).default({}),
  /**
   * Gateway replicas the experiment runs itself: `count` × `bulwark serve --config <config>` on
   * loopback ports behind a local TCP balancer on `port` (default ephemeral), which is the target's
   * gateway. Needed by `replica.*` actions. `config` is relative to the experiment file.
   */
  replicas: z.object({
    count: z.number().int().min(2).max(16),
    config: z.string().min(1),
    port: z.number().int().min(0).max(65535).default(0),
    env: z.record(z.string(), z.string()).optional(),
  }).strict().optional(),
  steadyState: z.object({ title: z.string().optional(), probes: z.array(probeSchema).min(1) }),
  /** Load that runs while the method does (open model). */
  load: z.object({
    rate: z.number().positive(),
    duration: duration,
    model: z.string().optional(),
    dialect: z.enum(['openai', 'anthropic']).default('openai'),
    stream: z.boolean().default(false),
    /** Retry connections refused or reset before any response (every 50 ms, within the request's timeout), as a client behind a load balancer does. Default false. */
    retryConnectionErrors: z.boolean().default(false),
    /** k6-style thresholds on the method's load, e.g. `http_req_failed: ["rate<0.01"]`. */
    thresholds: z.record(z.string(), z.array(z.string())).default({}).superRefine((thresholds, ctx) => {
      for (const [metric, expressions] of Object.entries(thresholds)) {
        expressions.forEach((expression, index) => {
          try {
            parseThreshold(metric, expression);
          } catch (error) {
            ctx.addIssue({ code: 'custom', path: [metric, index], message: (error as Error).message });
          }
        });
      }
    }),
  }).optional(),
  method: z.array(step).min(1),
  rollbacks: z.array(step).default([]),
}).strict().superRefine((experiment, ctx) => {
  const all = [...experiment.method, ...experiment.rollbacks];
  if (all.some((s) => 'action' in s && s.action.startsWith('mock.')) && !experiment.target.mock) {
    ctx.addIssue({ code: 'custom', path: ['target', 'mock'], message: 'mock.* actions need target.mock' });
  }
  if (all.some((s) => 'action' in s && s.action.startsWith('faults.')) && !experiment.target.faults) {
    ctx.addIssue({ code: 'custom', path: ['target', 'faults'], message: 'faults.* actions need target.faults' });
  }
  if (all.some((s) => 'action' in s && s.action.startsWith('replica.')) && !experiment.replicas) {
    ctx.addIssue({ code: 'custom', path: ['replicas'], message: 'replica.* actions need replicas (count, config)' });
  }
  if (experiment.replicas && experiment.target.gateway !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['target', 'gateway'], message: "with replicas the gateway is the experiment's own balancer: leave target.gateway out" });
  }
  if (!experiment.replicas && experiment.target.gateway === undefined) {
    ctx.addIssue({ code: 'custom', path: ['target', 'gateway'], message: 'expected the gateway URL (or replicas for the experiment to start)' });
  }
});

/** A validated experiment (durations in ms). */
export type Experiment = z.output<typeof experimentSchema>;
/** The target once the gateway is known (the balancer's URL when the experiment runs replicas). */
export type ResolvedTarget = Experiment['target'] & { gateway: string };
/** A validated probe. */
export type Probe = z.output<typeof probeSchema>;
/** One method or rollback step: an action or a `{ wait }`. */
export type Step = Experiment['method'][number];

/** Replaces `${NAME}` with the environment variable's value (unset → error naming it) and `${NAME:-fallback}` (unset or empty → fallback). */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (fallback !== undefined) return value ? value : fallback;
    if (value === undefined) throw new Error(`environment variable ${name} is not set (used as \${${name}})`);
    return value;
  });
}

/** Validates an experiment; throws an Error listing every problem with its path. */
export function parseExperiment(input: unknown): Experiment {
  // Accept the Chaos Toolkit spelling too.
  if (input && typeof input === 'object' && 'steady-state-hypothesis' in input) {
    const { 'steady-state-hypothesis': hypothesis, ...rest } = input as Record<string, unknown>;
    input = { ...rest, steadyState: hypothesis };
  }
  const result = experimentSchema.safeParse(input);
  if (!result.success) {
    throw new Error(result.error.issues.map((i) => `  ${describeIssue(i, input).replace(/^\(input\)/, '(experiment)')}`).join('\n'));
  }
  return result.data;
}
