/**
 * Defaults of the shared-state layer, in one place (pinned by `defaults.test.ts`).
 * The Redis bounds are deliberately small: shared state must never make a request slow, so a
 * replica that cannot reach Redis quickly decides on its local state instead.
 */

/** Prefix of every Redis key and channel this layer uses (one Redis can serve several clusters). */
export const DEFAULT_KEY_PREFIX = 'bulwark:';
/** LRU bound of the in-memory response cache (entries). */
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;
/** Byte budget of the in-memory response cache (keys and values; least recently used evicted first). */
export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** A Redis command that takes longer than this fails and the caller uses local state (ms). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 50;
/** Connecting (or reconnecting) gives up after this long (ms). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;
/** Consecutive failed commands that mark Redis as down (a closed connection marks it at once). */
export const DEFAULT_FAILURE_THRESHOLD = 3;
/** While Redis is down, a PING checks it this often; the first answer starts a resync (ms). */
export const DEFAULT_RECOVERY_CHECK_INTERVAL_MS = 1_000;
/** Reconnect delays grow by this much per attempt … (ms) */
export const DEFAULT_RECONNECT_STEP_MS = 100;
/** … up to this cap (ms). */
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 2_000;
/** Breaker keys live this long after their last write (s): stale breakers of removed deployments vanish. */
export const DEFAULT_BREAKER_KEY_TTL_SECONDS = 7 * 24 * 3600;
/** A cluster-wide half-open probe permit expires after this long if its holder never releases it (ms). */
export const DEFAULT_PROBE_PERMIT_TTL_MS = 30_000;
/** Every replica re-reads all breaker states this often, so a lost notification costs at most this long (ms). */
export const DEFAULT_BREAKER_RECONCILE_INTERVAL_MS = 1_000;
/** A replica announces itself this often (used to split limits while Redis is down) (ms). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 2_000;
/** A replica not heard from for this long no longer counts as live (ms). */
export const DEFAULT_REPLICA_TTL_MS = 6_000;
