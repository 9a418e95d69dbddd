import { z } from 'zod';
import { InvalidOptionsError } from '../../core/errors.js';
import { describeIssue } from '../issues.js';

/**
 * Toxics in the style of Toxiproxy: each one degrades the bytes flowing in one direction
 * (`downstream`: upstream → client; `upstream`: client → upstream) of the connections (TCP mode)
 * or requests (HTTP mode) it hits. `toxicity` is the share of connections/requests it hits,
 * decided once per connection (TCP) or request (HTTP).
 */
const base = {
  name: z.string().min(1).regex(/^[\w.-]+$/, 'letters, digits, dot, dash and underscore only'),
  stream: z.enum(['upstream', 'downstream']).default('downstream'),
  toxicity: z.number().min(0).max(1).default(1),
};

/** Every toxic type with its attributes (discriminated by `type`). */
export const toxicSchema = z.discriminatedUnion('type', [
  /** Delays every chunk by latencyMs ± jitterMs. */
  z.object({ ...base, type: z.literal('latency'), attributes: z.object({ latencyMs: z.number().min(0), jitterMs: z.number().min(0).default(0) }) }),
  /** Limits throughput to rateKBps kilobytes per second. */
  z.object({ ...base, type: z.literal('bandwidth'), attributes: z.object({ rateKBps: z.number().positive() }) }),
  /** Stops all data; closes the connection after timeoutMs (0 = hold it open forever: a hang). */
  z.object({ ...base, type: z.literal('timeout'), attributes: z.object({ timeoutMs: z.number().min(0).default(0) }) }),
  /** Resets the connection (TCP RST) after timeoutMs. */
  z.object({ ...base, type: z.literal('reset_peer'), attributes: z.object({ timeoutMs: z.number().min(0).default(0) }) }),
  /** Cuts data into slices of averageSize ± sizeVariation bytes, delayMs apart. */
  z.object({ ...base, type: z.literal('slicer'), attributes: z.object({ averageSize: z.number().int().positive(), sizeVariation: z.number().int().min(0).default(0), delayMs: z.number().min(0).default(0) }) }),
  /** Closes the connection once `bytes` bytes have passed. */
  z.object({ ...base, type: z.literal('limit_data'), attributes: z.object({ bytes: z.number().int().min(0) }) }),
  /** Delays the close (FIN) by delayMs after the data ended. */
  z.object({ ...base, type: z.literal('slow_close'), attributes: z.object({ delayMs: z.number().min(0) }) }),
  /** HTTP mode: answers with `status` instead of forwarding (optional Retry-After seconds and body). */
  z.object({ ...base, type: z.literal('http_status'), attributes: z.object({ status: z.number().int().min(100).max(599), retryAfterSeconds: z.number().min(0).optional(), body: z.string().optional() }) }),
  /** HTTP mode: forwards, then corrupts the response body (truncated and garbled). */
  z.object({ ...base, type: z.literal('http_corrupt'), attributes: z.object({}).default({}) }),
]);

/** A validated toxic (defaults applied). */
export type Toxic = z.output<typeof toxicSchema>;
/** A toxic as written by the caller (`stream`, `toxicity` and some attributes optional). */
export type ToxicInput = z.input<typeof toxicSchema>;
/** The toxic type names. */
export type ToxicType = Toxic['type'];

/** Toxics that need the proxy in `http` mode. */
export const HTTP_ONLY_TOXICS: readonly ToxicType[] = ['http_status', 'http_corrupt'];

/** Validates a toxic; throws an InvalidOptionsError whose message lists every problem with its path. */
export function parseToxic(input: unknown): Toxic {
  const result = toxicSchema.safeParse(input);
  if (!result.success) {
    throw new InvalidOptionsError(result.error.issues.map((i) => describeIssue(i, input).replace(/^\(input\)/, '(toxic)')).join('; '));
  }
  return result.data;
}

/**
 * Parses the CLI shorthand `type[:key=value,...]`, e.g. `latency:latencyMs=200,jitterMs=50`;
 * the special keys name, stream and toxicity set those fields.
 */
export function parseToxicShorthand(text: string): Toxic {
  const [type, rest = ''] = text.split(/:(.*)/s);
  const attributes: Record<string, number | string> = {};
  const fields: Record<string, unknown> = { type, name: type };
  for (const pair of rest.split(',').filter(Boolean)) {
    const [key, value] = pair.split('=');
    if (value === undefined) throw new InvalidOptionsError(`toxic '${text}': expected key=value, got '${pair}'`);
    const parsed = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    if (key === 'name' || key === 'stream' || key === 'toxicity') fields[key] = parsed;
    else attributes[key] = parsed;
  }
  return parseToxic({ ...fields, attributes });
}
