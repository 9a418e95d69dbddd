/**
 * Example 01 — the circuit breaker on real time (short open period so it finishes in ~4 s).
 *
 *   node --import tsx examples/01-circuit-breaker.ts      (or: npm run example:01)
 *
 * A flaky "provider" fails for its first 2.5 s, then recovers. We call it every 200 ms through
 * a breaker with the package defaults except the open period (2 s instead of 60 s): it opens after
 * 5 consecutive failures, fails fast while open, lets one probe through when the open period
 * ends, and closes when that probe succeeds. Every transition is printed with its time.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { BrokenCircuitError, CircuitBreaker, ConsecutiveBreaker } from '../src/core/index.js';

const start = Date.now();
const at = () => `t=${String(Date.now() - start).padStart(4)} ms`;

let calls = 0;
/** The dependency: down for its first 2.5 s. */
async function flakyProvider(): Promise<string> {
  calls++;
  await wait(20); // network time
  if (Date.now() - start < 2500) throw new Error('503 from provider');
  return 'answer';
}

const breaker = new CircuitBreaker({
  name: 'flaky-provider',
  strategy: new ConsecutiveBreaker(5), // the default, spelled out
  openMs: 2_000, // default 60 000; shortened for the demo
});

breaker.onStateChange((e) => {
  const until = e.openUntil === null ? '' : ` (probe allowed in ${e.openUntil - e.at} ms)`;
  console.log(`${at()}  STATE ${e.from} -> ${e.to}: ${e.reason}${until}`);
});

for (let i = 1; i <= 20; i++) {
  try {
    const answer = await breaker.execute(flakyProvider);
    console.log(`${at()}  call ${String(i).padStart(2)}: ok (${answer})`);
    if (breaker.state === 'closed' && i > 5) break;
  } catch (error) {
    if (error instanceof BrokenCircuitError) {
      console.log(`${at()}  call ${String(i).padStart(2)}: failed fast, provider not called (retry after ${error.retryAfterMs ?? '?'} ms)`);
    } else {
      console.log(`${at()}  call ${String(i).padStart(2)}: failed: ${(error as Error).message}`);
    }
  }
  await wait(200);
}

console.log(`${at()}  done: ${calls} calls reached the provider; final state ${breaker.state}`);
