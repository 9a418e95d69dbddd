import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_TIMER_DELAY_MS, sleep, systemClock } from './clock.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Runs an ES module snippet in a fresh Node process (imports resolved from src/core). */
function runScript(source: string): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { cwd: here, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout };
}

describe('systemClock', () => {
  it('a pending timer never keeps the process alive', () => {
    const { status, stdout } = runScript(`
      import { systemClock } from './clock.ts';
      systemClock.setTimeout(() => console.log('fired'), 60_000);
      console.log('end');
    `);
    expect(status).toBe(0);
    expect(stdout.trim()).toBe('end');
  });

  it('sleep keeps the process alive until it resolves: a script awaiting a retry wait or a rate-limit wait finishes', () => {
    const { status, stdout } = runScript(`
      import { sleep, systemClock } from './clock.ts';
      import { retry } from './retry.ts';
      import { rateLimiter } from './rate-limiter.ts';
      await sleep(systemClock, 30);
      let calls = 0;
      const answer = await retry({ maxAttempts: 3 }).execute(() => { if (calls++ === 0) throw new Error('first fails'); return 'second works'; });
      const limiter = rateLimiter({ ratePerSecond: 20, burst: 1, maxWaitMs: 1_000 });
      await limiter.execute(() => 1);
      await limiter.execute(() => 2);
      console.log(answer);
    `);
    expect(stdout.trim()).toBe('second works');
    expect(status).toBe(0);
  });

  it('a delay beyond the 32-bit timer range does not fire at once (Node would run it after 1 ms)', async () => {
    let fired = false;
    const handle = systemClock.setTimeout(() => (fired = true), 3_000_000_000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    systemClock.clearTimeout(handle);
    expect(fired).toBe(false);
    expect(MAX_TIMER_DELAY_MS).toBe(2 ** 31 - 1);
  });

  it('sleep rejects with the signal reason and clears its timer when aborted', async () => {
    const controller = new AbortController();
    const pending = sleep(systemClock, 60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });
});
