import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { drillPlan } from './plan.js';
import { runRealDrill } from './run-real.js';
import { DRILL_SCENARIOS } from './scenarios.js';

const home = process.cwd();
let dir: string | undefined;
afterEach(async () => {
  process.chdir(home);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const refused = (port: number) => new Promise<boolean>((resolve) => {
  const socket = connect(port, '127.0.0.1');
  socket.once('connect', () => { socket.destroy(); resolve(false); });
  socket.once('error', () => resolve(true));
});

describe('real-time drill (a real bulwark serve child process)', () => {
  it('starts its gateway from any working directory, and an interruption stops the scenario and the gateway at once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-drill-real-'));
    process.chdir(dir); // as a user would run an installed `bulwark drill` in their own project
    const logFile = join(dir, 'gateway.log');
    const stop = new AbortController();
    const started = Date.now();
    const results = await runRealDrill([DRILL_SCENARIOS[0]], drillPlan(20_000, 5), {
      logFile,
      signal: stop.signal,
      onStart: () => setTimeout(() => stop.abort(), 1000),
    });
    expect(results).toEqual([]);
    expect(Date.now() - started).toBeLessThan(15_000);
    const log = await readFile(logFile, 'utf8');
    const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1]);
    expect(port, log).toBeGreaterThan(0);
    expect(await refused(port)).toBe(true);
  }, 60_000);
});
