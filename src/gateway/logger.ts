import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * Paths pino blanks before a line is written. Provider keys live in configs and upstream request
 * headers; gateway keys in client headers. The gateway never logs those objects on purpose; this
 * list is the second line of defence.
 */
export const REDACTED_PATHS: readonly string[] = Object.freeze([
  'apiKey', '*.apiKey', '*.*.apiKey', 'providers.*.apiKey',
  'headers.authorization', 'headers["x-api-key"]', 'headers["api-key"]',
  'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["api-key"]',
  '*.headers.authorization', '*.headers["x-api-key"]', '*.headers["api-key"]',
  'authorization', '["x-api-key"]', 'key', 'adminKey',
]);

/**
 * The gateway's logger: JSON lines to stdout (or `destination`), secrets redacted. Per-request
 * lines are at `debug`, so at the default `info` level logging costs the hot path nothing.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { service: 'bulwark' }, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } }, destination);
}

export type { Logger };
