/**
 * Fault profiles of the mock provider: what goes wrong, how often, for which model or deployment.
 *
 * A profile has a `default` section and per-target overrides. A request's faults are resolved
 * field by field: `default` ← `models[<request model>]` ← `deployments[<path deployment>]`
 * (a field set in an override replaces the whole field, e.g. `errors` as one object).
 *
 * @example
 * // YAML
 * extends: healthy
 * default: { latency: { kind: lognormal, p50Ms: 40, p99Ms: 400 } }
 * deployments:
 *   primary: { errors: { "503": 1 } }
 */
import { z } from 'zod';
import { MOCK_PRESETS, type MockPresetName } from './presets.js';
import { describeIssue } from '../issues.js';

const probability = z.number().min(0).max(1);
const nonNegativeMs = z.number().finite().min(0);

/** Latency before the response starts (time to first byte). Default: none. */
export const latencySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), ms: nonNegativeMs }),
  z
    .strictObject({ kind: z.literal('uniform'), minMs: nonNegativeMs, maxMs: nonNegativeMs })
    .refine((l) => l.minMs <= l.maxMs, { message: 'minMs must be <= maxMs', path: ['maxMs'] }),
  z
    .strictObject({ kind: z.literal('lognormal'), p50Ms: z.number().positive(), p99Ms: z.number().positive() })
    .refine((l) => l.p50Ms <= l.p99Ms, { message: 'p50Ms must be <= p99Ms', path: ['p99Ms'] }),
]);
export type LatencySpec = z.infer<typeof latencySchema>;

const EXCLUSIVE_FIELDS = ['hang', 'reset', 'malformed'] as const;

/** The faults of one target (default, model or deployment). Every field is optional. */
export const mockFaultsSchema = z
  .strictObject({
    /** Time before the response starts (errors included; hang and reset happen after it). */
    latency: latencySchema.optional(),
    /** Probability of answering with each error status (429 carries Retry-After). */
    errors: z.strictObject({ '429': probability, '500': probability, '503': probability, '529': probability }).partial().optional(),
    /** Retry-After sent with 429 (as `retry-after` seconds, rounded up, and `retry-after-ms`). Default 1000. */
    retryAfterMs: z.number().int().min(0).optional(),
    /** Probability of accepting the request and never answering (until the client goes away). */
    hang: probability.optional(),
    /** Probability of destroying the socket after reading the request. */
    reset: probability.optional(),
    /** Probability of a 200 whose body is truncated, invalid JSON (streams: one garbled event). */
    malformed: probability.optional(),
    /** Streams destroyed after `afterChunks` SSE events (no terminal event), with `probability` (default 1). */
    streamCut: z.strictObject({ afterChunks: z.number().int().min(0), probability: probability.default(1) }).optional(),
    /** Delay between stream events, in ms. Default 0. */
    tokenDelayMs: nonNegativeMs.optional(),
    /** Prompts above these sizes get the dialect's context-length error (400). */
    contextWindow: z
      .strictObject({ maxTokens: z.number().int().positive().optional(), maxChars: z.number().int().positive().optional() })
      .optional(),
    /** Every request gets 401 (a bad key). */
    authFailure: z.boolean().optional(),
    /** Fixed one-second windows: requests above this count get 429 with Retry-After to the window's end. */
    rateLimit: z.strictObject({ requestsPerSecond: z.number().int().positive() }).optional(),
  })
  .superRefine((faults, ctx) => {
    const errorSum = Object.values(faults.errors ?? {}).reduce<number>((sum, p) => sum + (p ?? 0), 0);
    const total = EXCLUSIVE_FIELDS.reduce((sum, field) => sum + (faults[field] ?? 0), errorSum);
    if (total > 1 + 1e-9) {
      ctx.addIssue({ code: 'custom', message: `errors + hang + reset + malformed probabilities add up to ${total}, more than 1` });
    }
  });
export type MockFaults = z.infer<typeof mockFaultsSchema>;
/** {@link MockFaults} as written (before defaults). */
export type MockFaultsInput = z.input<typeof mockFaultsSchema>;


/** A whole profile as written in a file or sent to `PUT /_mock/profile`. */
export const mockProfileSchema = z.strictObject({
  /** Start from this preset; the sections below are merged over it. */
  extends: z
    .string()
    .refine((name) => Object.hasOwn(MOCK_PRESETS, name), { message: `unknown preset (presets: ${Object.keys(MOCK_PRESETS).join(', ')})` })
    .optional(),
  default: mockFaultsSchema.optional(),
  /** Overrides keyed by the request's `model`. */
  models: z.record(z.string(), mockFaultsSchema).optional(),
  /** Overrides keyed by the deployment in the path `/deployments/<name>/v1/...`. */
  deployments: z.record(z.string(), mockFaultsSchema).optional(),
});
export type MockProfileInput = z.input<typeof mockProfileSchema>;

/** A validated profile, `extends` already applied. */
export interface MockProfile {
  default: MockFaults;
  models: Record<string, MockFaults>;
  deployments: Record<string, MockFaults>;
}

/** A profile failed validation. `issues` lists `path: problem (got value)` lines. */
export class MockProfileError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid mock profile:\n  ${issues.join('\n  ')}`);
    this.name = 'MockProfileError';
  }
}

function formatIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => describeIssue(issue, input, 'profile'));
}

/** Is `name` one of {@link MOCK_PRESETS}? */
export function isMockPreset(name: unknown): name is MockPresetName {
  return typeof name === 'string' && Object.hasOwn(MOCK_PRESETS, name);
}

/** Merges `override` over `base`, field by field (children copy, never mutate). */
export function mergeFaults(base: MockFaults, override: MockFaults | undefined): MockFaults {
  return override ? { ...base, ...override } : base;
}

function mergeProfiles(base: MockProfile, over: MockProfile): MockProfile {
  const mergeMap = (a: Record<string, MockFaults>, b: Record<string, MockFaults>) => {
    const out: Record<string, MockFaults> = { ...a };
    for (const [key, faults] of Object.entries(b)) out[key] = mergeFaults(out[key] ?? {}, faults);
    return out;
  };
  return {
    default: mergeFaults(base.default, over.default),
    models: mergeMap(base.models, over.models),
    deployments: mergeMap(base.deployments, over.deployments),
  };
}

/**
 * Validates a profile: a preset name (`"flaky"`), `{ preset: "flaky" }`, or a profile object.
 * Throws {@link MockProfileError} naming each bad field and value.
 */
export function parseMockProfile(input: unknown): MockProfile {
  if (typeof input === 'string') {
    if (!isMockPreset(input)) {
      throw new MockProfileError([`profile: unknown preset ${JSON.stringify(input)} (presets: ${Object.keys(MOCK_PRESETS).join(', ')})`]);
    }
    return parseMockProfile(MOCK_PRESETS[input]);
  }
  if (input !== null && typeof input === 'object' && 'preset' in input && Object.keys(input).length === 1) {
    return parseMockProfile((input as { preset: unknown }).preset);
  }
  const result = mockProfileSchema.safeParse(input);
  if (!result.success) throw new MockProfileError(formatIssues(result.error, input));
  const own: MockProfile = { default: result.data.default ?? {}, models: result.data.models ?? {}, deployments: result.data.deployments ?? {} };
  return result.data.extends !== undefined ? mergeProfiles(parseMockProfile(result.data.extends as string), own) : own;
}

/** A partial update for `PATCH /_mock/profile`: merged over the current profile; `null` removes an override. */
export interface MockProfilePatch {
  default?: MockFaults;
  models?: Record<string, MockFaults | null>;
  deployments?: Record<string, MockFaults | null>;
}

const patchSchema = z.strictObject({
  default: mockFaultsSchema.optional(),
  models: z.record(z.string(), mockFaultsSchema.nullable()).optional(),
  deployments: z.record(z.string(), mockFaultsSchema.nullable()).optional(),
});

/** Applies a validated patch to `profile`, returning a new profile. Throws {@link MockProfileError}. */
export function patchMockProfile(profile: MockProfile, input: unknown): MockProfile {
  const result = patchSchema.safeParse(input);
  if (!result.success) throw new MockProfileError(formatIssues(result.error, input));
  const patch = result.data;
  const applyMap = (current: Record<string, MockFaults>, changes: Record<string, MockFaults | null> | undefined) => {
    const out = { ...current };
    for (const [key, faults] of Object.entries(changes ?? {})) {
      if (faults === null) delete out[key];
      else out[key] = mergeFaults(out[key] ?? {}, faults);
    }
    return out;
  };
  return {
    default: mergeFaults(profile.default, patch.default),
    models: applyMap(profile.models, patch.models),
    deployments: applyMap(profile.deployments, patch.deployments),
  };
}
