import { pino, type Logger, type DestinationStream } from 'pino';
import type { SecretRedactor } from './secrets/secret-redactor.js';

/** Field names whose values are secrets wherever they appear in a logged object (any depth). */
export const SECRET_FIELD = /^(api[-_]?key|authorization|x-api-key|proxy-authorization|password|secret|token|admin[-_]?key)$/i;
const CENSOR = '[redacted]';
const MAX_DEPTH = 8;

/**
 * Returns `value` with every secret-named field blanked, at any depth. Objects are copied only
 * where something had to change; the caller's objects are never mutated.
 */
export function scrubSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || value instanceof Error) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = scrubSecrets(value[i], depth + 1);
      if (next !== value[i]) (copy ??= [...value])[i] = next;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const next = SECRET_FIELD.test(key) && item !== undefined ? CENSOR : scrubSecrets(item, depth + 1);
    if (next !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = next;
  }
  return copy ?? value;
}

/**
 * The gateway's logger: JSON lines to stdout (or `destination`), secret-named fields blanked at
 * any depth (provider keys in configs, client keys in headers) and, with a `redactor`, every
 * configured secret blanked from the finished line (messages and error texts included: an
 * upstream that echoes its key puts it in an error message). Per-request lines are at `debug`,
 * so at the default `info` level logging costs the hot path nothing.
 */
export function createLogger(level: string, destination?: DestinationStream, redactor?: SecretRedactor): Logger {
  return pino({
    level,
    base: { service: 'bulwark' },
    formatters: { log: (object) => scrubSecrets(object) as Record<string, unknown> },
    ...(redactor ? { hooks: { streamWrite: (line: string) => (redactor.active ? redactor.redact(line) : line) } } : {}),
  }, destination);
}

export type { Logger };
