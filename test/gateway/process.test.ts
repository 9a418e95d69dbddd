import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfigYaml } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Upstream answers take 1.2 s, so requests are still in flight when SIGTERM arrives. A short
// drain delay (as in production behind a load balancer) covers connections accepted but whose
// request bytes had not been read yet when the signal came (Node counts those as idle).
const SLOW = testConfigYaml()
  .replace('mocks:\n  m: { profile: healthy }', 'mocks:\n  m: { profile: { default: { latency: { kind: fixed, ms: 1200 }, tokenDelayMs: 20 } } }')
  .replace('server: { port: 0 }', 'server: { port: 0, drainDelayMs: 200ms, shutdownGraceMs: 10s }')
  .replace('level: warn', 'level: info');

/** A real `bulwark serve` child process (with its embedded mock) on an ephemeral port. */
async function spawnServe(configPath: string): Promise<{ child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', configPath, '--port', '0'], {
    cwd: ROOT, env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner in time:\n${out}`)), 20_000);
    const onData = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.on('exit', () => reject(new Error(`exited early:\n${out}`)));
  });
  return { child, url, output: () => out, exited };
}

async function waitFor(predicate: () => boolean, describe: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met in time; output so far:\n${describe()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('bulwark serve as a process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-serve-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reloads on SIGHUP, keeps the old config when the new one is invalid, and drains on SIGTERM under load without dropping a request', async () => {
    const file = join(dir, 'bulwark.yaml');
    await writeFile(file, SLOW);
    const serve = await spawnServe(file);
    try {
      // 1. An invalid config on SIGHUP is rejected with its problems logged; the old one keeps serving.
      await writeFile(file, SLOW.replace('chain: [gpt4, gpt35]', 'chain: [gpt4, gpt5]'));
      serve.child.kill('SIGHUP');
      await waitFor(() => serve.output().includes('config reload rejected'), () => `${serve.output()}\nexit=${serve.child.exitCode} signal=${serve.child.signalCode} pid=${serve.child.pid}`);
      expect(serve.output()).toContain("unknown model group 'gpt5'");
      expect((await fetch(`${serve.url}/readyz`)).status).toBe(200);

      // 2. A valid one is applied.
      await writeFile(file, SLOW.replace('- { name: gpt-4,', '- { name: gpt-5, chain: [gpt35] }\n  - { name: gpt-4,'));
      serve.child.kill('SIGHUP');
      await waitFor(() => serve.output().includes('config reloaded'), serve.output);
      const models = (await (await fetch(`${serve.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
      expect(models.data.map((m) => m.id)).toContain('gpt-5');

      // 3. SIGTERM with 30 requests in flight (each takes ≥ 1.2 s upstream): all complete, exit 0.
      const requests = Array.from({ length: 30 }, async (_, i) => {
        const stream = i % 2 === 0;
        const res = await fetch(`${serve.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4', stream, messages: [{ role: 'user', content: `request ${i}` }] }),
        });
        const text = await res.text();
        return { status: res.status, complete: stream ? text.trim().endsWith('data: [DONE]') : JSON.parse(text).choices[0].finish_reason === 'stop' };
      });
      await new Promise((r) => setTimeout(r, 500));
      serve.child.kill('SIGTERM');
      const results = await Promise.all(requests);
      expect(results.filter((r) => r.status !== 200 || !r.complete)).toEqual([]);
      expect(await serve.exited).toBe(0);
      expect(serve.output()).toContain('"clean":true');
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  });

  it('exits with code 2 listing every problem when the config is invalid', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, SLOW.replace('chain: [gpt4, gpt35]', 'chain: [gpt4, gpt5]').replace('maxAttempts: 1', 'maxAttempts: 0'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain("routes[0].chain[1]: unknown model group 'gpt5' (known: gpt4, gpt35, sonnet, haiku)");
    expect(err).toContain('policies.retry.maxAttempts');
    expect(err).toContain('hint:');
  });
});
