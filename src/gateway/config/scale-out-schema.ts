import { z } from 'zod';
import { positiveDurationSchema } from './duration.js';
import * as S from '../../state/defaults.js';
import * as L from '../load-shedding-defaults.js';

const secretField = (description: string) => z.string().optional()
  // `${VAR:-}` left empty means "none", not an empty password.
  .transform((v) => (v === '' ? undefined : v))
  .meta({ description: `${description} Secret: write "\${ENV_VAR}". Never logged.` });

const hostPort = z.string().regex(/^(?:\[[^\]]+\]|[^:[\]]+):\d{1,5}$/, 'must be "host:port"');

/**
 * `state:` — where replicas share breaker states, probe permits, global limits and the response
 * cache. Without `redis` everything stays in this process (the embedded default, no setup).
 * `redis` names exactly one of `url` (one server, or a managed endpoint), `sentinel` or `cluster`.
 */
export const stateSchema = z.strictObject({
  redis: z.strictObject({
    url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional().meta({
      description: 'One Redis shared by every replica, e.g. "redis://redis:6379", "rediss://user:pass@host:6380" or "${REDIS_URL}". Never logged.',
    }),
    sentinel: z.strictObject({
      masterName: z.string().min(1).meta({ description: 'The primary\'s name in the sentinels\' config (`sentinel monitor <name> …`).' }),
      nodes: z.array(hostPort).min(1).meta({ description: 'Every sentinel as "host:port"; the client asks them for the current primary and follows failovers.' }),
      username: secretField('ACL user of the sentinels themselves, if they require one.'),
      password: secretField('Password of the sentinels themselves, if they require one.'),
      tls: z.boolean().default(false).meta({ description: 'Talk TLS to the sentinels too (needs `tls`).' }),
    }).optional().meta({ description: 'Redis Sentinel: a primary with replicas, failed over by the sentinels.' }),
    cluster: z.strictObject({
      nodes: z.array(hostPort).min(1).meta({ description: 'Seed nodes as "host:port" (list several); every other node and slot is learned from them.' }),
    }).optional().meta({ description: 'Redis Cluster. Every multi-key script uses hash-tagged keys, so it stays on one slot.' }),
    username: secretField('ACL user (Redis 6+; default `default`). May also be in the URL.'),
    password: secretField('Password of the user (or `requirepass`). May also be in the URL.'),
    tls: z.strictObject({
      caFile: z.string().min(1).optional().meta({ description: 'CA bundle (PEM) the server certificate must chain to; default the system CAs.' }),
      certFile: z.string().min(1).optional().meta({ description: 'Client certificate (PEM), when the server asks for one.' }),
      keyFile: z.string().min(1).optional().meta({ description: 'Key of the client certificate (PEM).' }),
      serverName: z.string().min(1).optional().meta({ description: 'Name the server certificate must carry, when it is not the host connected to.' }),
    }).optional().meta({ description: 'TLS: with `url` it needs rediss://; with sentinel or cluster this section turns TLS on.' }),
    keyPrefix: z.string().regex(/^[^{}]*$/, 'must not contain { or } (keys carry their own Redis Cluster hash tags)').default(S.DEFAULT_KEY_PREFIX).meta({ description: 'Prefix of every key and channel (one Redis can serve several clusters).' }),
    commandTimeoutMs: positiveDurationSchema.default(S.DEFAULT_COMMAND_TIMEOUT_MS).meta({ description: 'A slower Redis command fails and the replica decides on local state.' }),
    connectTimeoutMs: positiveDurationSchema.default(S.DEFAULT_CONNECT_TIMEOUT_MS),
  }).superRefine((redis, ctx) => {
    const modes = (['url', 'sentinel', 'cluster'] as const).filter((m) => redis[m] !== undefined);
    if (modes.length !== 1) ctx.addIssue({ code: 'custom', message: `exactly one of url, sentinel or cluster must be set (got ${modes.length === 0 ? 'none' : modes.join(' and ')})` });
    if (redis.url?.startsWith('redis://') && redis.tls) ctx.addIssue({ code: 'custom', path: ['tls'], message: 'tls is set but url is redis:// (use rediss:// for TLS)' });
    if (redis.sentinel?.tls && !redis.tls) ctx.addIssue({ code: 'custom', path: ['sentinel', 'tls'], message: 'needs the tls section (its CA is used for the sentinels too)' });
    if (redis.tls && (redis.tls.certFile === undefined) !== (redis.tls.keyFile === undefined)) ctx.addIssue({ code: 'custom', path: ['tls'], message: 'certFile and keyFile go together' });
  }).optional(),
});

const limitFields = {
  initialLimit: z.int().min(1),
  minLimit: z.int().min(1),
  maxLimit: z.int().min(1),
};

/** One adaptive limit. minLimit above maxLimit is refused (the limiter would raise maxLimit to it without a word); initialLimit is clamped into [minLimit, maxLimit]. */
function limitSchema(defaults: { initial: number; min: number; max: number }) {
  return z.strictObject({
    initialLimit: limitFields.initialLimit.default(defaults.initial),
    minLimit: limitFields.minLimit.default(defaults.min),
    maxLimit: limitFields.maxLimit.default(defaults.max),
  }).superRefine((limit, ctx) => {
    if (limit.minLimit > limit.maxLimit) {
      ctx.addIssue({ code: 'custom', path: ['minLimit'], input: limit.minLimit, message: `must be at most maxLimit (${limit.maxLimit})` });
    }
  }).prefault({});
}

/**
 * `loadShedding:` — adaptive concurrency limits driven by time to first token (`FirstTokenLimit`)
 * for the whole gateway and per deployment. On by default; traffic using less than half of a
 * limit never changes it, so healthy traffic is not shed. Under overload the excess is refused at once with 503 and
 * Retry-After instead of queueing into timeouts; low-priority traffic goes first.
 */
export const loadSheddingSchema = z.strictObject({
  enabled: z.boolean().default(L.DEFAULT_SHEDDING_ENABLED).meta({ description: 'Shed excess load at once with 503 + Retry-After (on by default; `false` turns it off).' }),
  gateway: limitSchema({ initial: L.DEFAULT_GATEWAY_INITIAL_LIMIT, min: L.DEFAULT_GATEWAY_MIN_LIMIT, max: L.DEFAULT_GATEWAY_MAX_LIMIT }).meta({ description: 'Requests the whole gateway runs at once (chat endpoints).' }),
  deployment: limitSchema({ initial: L.DEFAULT_DEPLOYMENT_INITIAL_LIMIT, min: L.DEFAULT_DEPLOYMENT_MIN_LIMIT, max: L.DEFAULT_DEPLOYMENT_MAX_LIMIT }).meta({ description: 'Calls one deployment runs at once; a full deployment is skipped like a full bulkhead.' }),
  priorities: z.strictObject({
    high: z.number().gt(0).max(1).default(L.DEFAULT_PRIORITY_SHARES.high),
    normal: z.number().gt(0).max(1).default(L.DEFAULT_PRIORITY_SHARES.normal),
    low: z.number().gt(0).max(1).default(L.DEFAULT_PRIORITY_SHARES.low),
  }).prefault({}).meta({ description: 'Share of the limit each class may fill: low is shed first.' }),
  priorityHeader: z.boolean().default(true).meta({ description: 'Honour `x-bulwark-priority: low|normal|high` (never above the key\'s own priority).' }),
});

export type LoadSheddingConfig = z.output<typeof loadSheddingSchema>;
export type StateConfig = z.output<typeof stateSchema>;
