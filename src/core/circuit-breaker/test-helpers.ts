import type { BreakerStateChangeEvent } from './types.js';
import type { CircuitBreaker } from './circuit-breaker.js';

/** A promise settled from outside, for operations whose end the test decides. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = string>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const fail = (message = 'boom') => () => Promise.reject(new Error(message));
export const succeed = () => Promise.resolve('ok');

/** Fails `n` times through the breaker (swallowing the errors). */
export async function failTimes(breaker: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await breaker.execute(fail()).catch(() => {});
}

/** Records every transition as "from>to". */
export function recordTransitions(breaker: CircuitBreaker): { list: string[]; events: BreakerStateChangeEvent[] } {
  const list: string[] = [];
  const events: BreakerStateChangeEvent[] = [];
  breaker.onStateChange((e) => {
    list.push(`${e.from}>${e.to}`);
    events.push(e);
  });
  return { list, events };
}
