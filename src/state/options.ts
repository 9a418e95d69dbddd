import { InvalidOptionsError } from '../core/errors.js';
import { checkInteger } from '../core/options.js';
import {
  DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_FAILURE_THRESHOLD, DEFAULT_KEY_PREFIX,
  DEFAULT_RECOVERY_CHECK_INTERVAL_MS,
} from './defaults.js';
import type { RedisLinkOptions } from './redis-link.js';
import { resolveConnection, type ResolvedConnection } from './redis-connection.js';

/** {@link RedisLinkOptions} after validation, defaults filled in. */
export interface ResolvedLinkOptions {
  readonly connection: ResolvedConnection;
  readonly keyPrefix: string;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly failureThreshold: number;
  readonly recoveryCheckIntervalMs: number;
}

/** Validates once; messages name the field and the bad value (never the URL: it may hold a password). */
export function resolveLinkOptions(options: RedisLinkOptions): ResolvedLinkOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError(`redisState: options must be an object (got ${typeof options})`);
  const connection = resolveConnection(options);
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== 'string') throw new InvalidOptionsError(`redisState: keyPrefix must be a string (got ${typeof keyPrefix})`);
  // Keys carry their own Redis Cluster hash tags ({breakers}, {rl:…}); a brace in the prefix would change them.
  if (/[{}]/.test(keyPrefix)) throw new InvalidOptionsError(`redisState: keyPrefix must not contain { or } (got ${JSON.stringify(keyPrefix)})`);
  return Object.freeze({
    connection,
    keyPrefix,
    commandTimeoutMs: checkInteger('redisState', 'commandTimeoutMs', options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, 1),
    connectTimeoutMs: checkInteger('redisState', 'connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 1),
    failureThreshold: checkInteger('redisState', 'failureThreshold', options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD, 1),
    recoveryCheckIntervalMs: checkInteger('redisState', 'recoveryCheckIntervalMs', options.recoveryCheckIntervalMs ?? DEFAULT_RECOVERY_CHECK_INTERVAL_MS, 1),
  });
}
