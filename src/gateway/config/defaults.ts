/**
 * The gateway's own defaults, in one place (pinned by `defaults.test.ts`). Policy and cache
 * defaults are the router's (`src/llm/defaults.ts`), alert/SLO/health defaults are ops'
 * (`src/ops/defaults.ts`): the config schema shows them, it does not redefine them.
 */

/** Port of `bulwark serve` when neither `--port`, `PORT` nor `server.port` is given. */
export const DEFAULT_PORT = 4000;
/** Bind address: loopback only, unless configured otherwise (and gateway keys exist). */
export const DEFAULT_HOST = '127.0.0.1';
/** Largest request body accepted: 32 MiB, Anthropic's request limit (OpenAI takes 20 MB images); larger → 413. */
export const DEFAULT_BODY_LIMIT_BYTES = 33_554_432;
/** A client must finish sending its headers within 10 s (slowloris guard). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** A client must finish sending its whole request within 30 s (slow-body guard). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Idle keep-alive connections are closed after 65 s (above common load-balancer idle timeouts). */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** On SIGTERM, in-flight requests and streams get up to 30 s to finish. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;

/** On SIGTERM, keep the listener open this long with /readyz at 503 (0: close at once). */
export const DEFAULT_DRAIN_DELAY_MS = 0;
/** Log level. */
export const DEFAULT_LOG_LEVEL = 'info';
