// The core in a browser: served beside the compiled dist/core/ by core-in-browser.test.ts and run
// both in the page and in a module Web Worker. Plain JavaScript, as a browser gets it: no loader,
// no bundler, only the ES modules `npm run build` emits. Returns plain data the test asserts on.
import {
  pipeline, retry, timeout, CircuitBreaker, ConsecutiveBreaker, constantBackoff, BrokenCircuitError, FakeClock, sleep,
} from '/core/index.js';

export async function runScenario() {
  const result = {};

  // retry + breaker + attempt timeout on the system clock: the first attempt hangs until its
  // timeout aborts it, the second fails, the third answers.
  const breaker = new CircuitBreaker({ strategy: new ConsecutiveBreaker(3), openMs: 60_000 });
  const guarded = pipeline(retry({ maxAttempts: 3, backoff: constantBackoff(1) }), breaker, timeout({ timeoutMs: 30 }));
  const attempts = [];
  result.answer = await guarded.execute(({ signal, attempt }) => {
    if (attempt === 1) {
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => {
        attempts.push({ attempt, abortedWith: signal.reason?.code });
        reject(signal.reason);
      }));
    }
    attempts.push({ attempt });
    if (attempt === 2) throw new Error('upstream 503');
    return `answered on attempt ${attempt}`;
  });
  result.attempts = attempts;
  result.breakerAfterRecovery = breaker.state;

  // Three more failures in a row open the breaker; the next call is refused without running
  // (asked of the breaker itself: the retry would wait out the open period it announces).
  let calls = 0;
  const failing = () => {
    calls++;
    throw new Error('down');
  };
  result.exhausted = await guarded.execute(failing).then(() => 'answered', (error) => error.message);
  result.breakerAfterFailures = breaker.state;
  const callsBefore = calls;
  result.refused = await breaker.execute(failing).then(() => 'answered', (error) => ({
    isBrokenCircuit: error instanceof BrokenCircuitError, code: error.code, ranOperation: calls !== callsBefore,
  }));

  // A total timeout around it all, on the system clock: the caller gets TimeoutError.
  result.totalTimeout = await pipeline(timeout({ timeoutMs: 20 }), retry({ maxAttempts: 2 }))
    .execute(({ signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))))
    .then(() => 'answered', (error) => ({ name: error.name, code: error.code }));

  // Virtual time works too (FakeClock's turn of the event loop has no setImmediate here).
  const clock = new FakeClock();
  let slept = false;
  const pending = sleep(clock, 1_000).then(() => (slept = true));
  await clock.advance(999);
  result.sleptEarly = slept;
  await clock.advance(1);
  await pending;
  result.sleptOnTime = slept;
  return result;
}
