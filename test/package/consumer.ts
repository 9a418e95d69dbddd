// A TypeScript consumer of the installed tarball, compiled by pack-install.test.ts with
// `strict`, `noUncheckedIndexedAccess` and `exactOptionalPropertyTypes` and without skipLibCheck:
// Bulwark's declarations must be clean under the strictest flags a user may have.
import { BrokenCircuitError, CircuitBreaker, ConsecutiveBreaker, pipeline, retry, timeout, type Policy } from 'bulwark/core';
import { bulwarkFetch, createRouter, type RouterConfig } from 'bulwark';
import { createOps } from 'bulwark/ops';
import { startMockProvider } from 'bulwark/mock';

const policy: Policy = pipeline(retry({ maxAttempts: 2 }), new CircuitBreaker({ strategy: new ConsecutiveBreaker(3) }), timeout({ timeoutMs: 100 }));
export const answer: Promise<string> = policy.execute(async ({ signal, attempt }) => (signal.aborted ? 'aborted' : `ok on attempt ${attempt}`));
export const isOpen = (error: unknown): boolean => error instanceof BrokenCircuitError;
export type Config = RouterConfig;
export const entries = [createRouter, bulwarkFetch, createOps, startMockProvider] as const;
