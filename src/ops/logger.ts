import { pino } from 'pino';

/** The logging surface ops uses; a pino logger satisfies it. */
export interface OpsLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/** Default logger when none is injected: pino at `info`, named `bulwark-ops`. */
export function defaultOpsLogger(): OpsLogger {
  return pino({ name: 'bulwark-ops' });
}
