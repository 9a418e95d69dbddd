import { z } from 'zod';
import { durationSchema } from './duration.js';
import * as S from '../../state/defaults.js';
import * as L from '../load-shedding-defaults.js';

/**
 * `state:` — where replicas share breaker states, probe permits, global limits and the response
 * cache. Without `redis` everything stays in this process (the embedded default, no setup).
 */
export const stateSchema = z.strictObject({
  redis: z.strictObject({
    url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL').meta({
      description: 'Redis shared by every replica, e.g. "redis://redis:6379" or "${REDIS_URL}". Never logged.',
    }),
    keyPrefix: z.string().default(S.DEFAULT_KEY_PREFIX).meta({ description: 'Prefix of every key and channel (one Redis can serve several clusters).' }),
    commandTimeoutMs: durationSchema.default(S.DEFAULT_COMMAND_TIMEOUT_MS).meta({ description: 'A slower Redis command fails and the replica decides on local state.' }),
    connectTimeoutMs: durationSchema.default(S.DEFAULT_CONNECT_TIMEOUT_MS),
  }).optional(),
});

const limitFields = {
  initialLimit: z.int().min(1),
  minLimit: z.int().min(1),
  maxLimit: z.int().min(1),
};

/**
 * `loadShedding:` — adaptive concurrency limits driven by time to first token (`FirstTokenLimit`)
 * for the whole gateway and per deployment. On by default; traffic using less than half of a
 * limit never changes it, so healthy traffic is not shed. Under overload the excess is refused at once with 503 and
 * Retry-After instead of queueing into timeouts; low-priority traffic goes first.
 */
export const loadSheddingSchema = z.strictObject({
  enabled: z.boolean().default(L.DEFAULT_SHEDDING_ENABLED).meta({ description: 'Shed excess load at once with 503 + Retry-After (on by default; `false` turns it off).' }),
  gateway: z.strictObject({
    initialLimit: limitFields.initialLimit.default(L.DEFAULT_GATEWAY_INITIAL_LIMIT),
    minLimit: limitFields.minLimit.default(L.DEFAULT_GATEWAY_MIN_LIMIT),
    maxLimit: limitFields.maxLimit.default(L.DEFAULT_GATEWAY_MAX_LIMIT),
  }).prefault({}).meta({ description: 'Requests the whole gateway runs at once (chat endpoints).' }),
  deployment: z.strictObject({
    initialLimit: limitFields.initialLimit.default(L.DEFAULT_DEPLOYMENT_INITIAL_LIMIT),
    minLimit: limitFields.minLimit.default(L.DEFAULT_DEPLOYMENT_MIN_LIMIT),
    maxLimit: limitFields.maxLimit.default(L.DEFAULT_DEPLOYMENT_MAX_LIMIT),
  }).prefault({}).meta({ description: 'Calls one deployment runs at once; a full deployment is skipped like a full bulkhead.' }),
  priorities: z.strictObject({
    high: z.number().gt(0).max(1).default(L.DEFAULT_PRIORITY_SHARES.high),
    normal: z.number().gt(0).max(1).default(L.DEFAULT_PRIORITY_SHARES.normal),
    low: z.number().gt(0).max(1).default(L.DEFAULT_PRIORITY_SHARES.low),
  }).prefault({}).meta({ description: 'Share of the limit each class may fill: low is shed first.' }),
  priorityHeader: z.boolean().default(true).meta({ description: 'Honour `x-bulwark-priority: low|normal|high` (never above the key\'s own priority).' }),
});

export type LoadSheddingConfig = z.output<typeof loadSheddingSchema>;
export type StateConfig = z.output<typeof stateSchema>;
