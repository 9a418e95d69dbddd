import { spawn } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, tempDir } from '../scale/helpers.js';
import { answerNormally } from '../security/scripted-upstream.js';
import { RecordingUpstream, type Recorded } from './recording-upstream.js';

const IN_FLIGHT = 30;

// The compiled `bulwark serve` in front of a test-held upstream: the test decides when answers
// come, so "requests in flight when SIGTERM arrives" is a fact the test waits for, not a guess
// about how fast a loaded machine sends 30 requests. A short drain delay, as in production behind
// a load balancer, is kept.
const config = (upstreamUrl: string) => `
server: { port: 0, drainDelayMs: 200ms, shutdownGraceMs: 30s }
logging: { level: info }
providers:
  up: { type: openai, baseUrl: "${upstreamUrl}/v1", apiKey: "\${UPSTREAM_KEY}" }
modelGroups:
  gpt4: { deployments: [ { id: primary, provider: up, model: gpt-4o } ] }
  gpt35: { deployments: [ { id: secondary, provider: up, model: gpt-4o-mini } ] }
routes:
  - { name: gpt-4, chain: [gpt4, gpt35] }
policies:
  retry: { maxAttempts: 1 }
`;

/** Polls (every 25 ms) until `predicate` holds; the test's own timeout bounds the wait. */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 25));
}

describe('bulwark serve as a process', () => {
  let upstream: RecordingUpstream;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  /** Answers held by the upstream until the test lets them go. */
  const held: Array<() => void> = [];
  beforeAll(async () => {
    upstream = await RecordingUpstream.start();
    upstream.respond = (seen: Recorded, res: ServerResponse) => held.push(() => answerNormally(seen, res));
    dir = await tempDir();
  });
  afterAll(async () => {
    held.splice(0).forEach((answer) => answer());
    await upstream.close();
    await dir.close();
  });

  it('reloads on SIGHUP, keeps the old config when the new one is invalid, and drains on SIGTERM under load without dropping a request', async () => {
    const yaml = config(upstream.url);
    const file = await dir.write('bulwark.yaml', yaml);
    const serve = await spawnGateway(file, { UPSTREAM_KEY: 'k' });
    const exited = new Promise<number | null>((resolve) => serve.child.once('exit', (code) => resolve(code)));
    try {
      // 1. An invalid config on SIGHUP is rejected with its problems logged; the old one keeps serving.
      await writeFile(file, yaml.replace('chain: [gpt4, gpt35]', 'chain: [gpt4, gpt5]'));
      serve.child.kill('SIGHUP');
      await until(() => serve.output().includes('config reload rejected'));
      expect(serve.output()).toContain("unknown model group 'gpt5'");
      expect((await fetch(`${serve.url}/readyz`)).status).toBe(200);

      // 2. A valid one is applied.
      await writeFile(file, yaml.replace('- { name: gpt-4,', '- { name: gpt-5, chain: [gpt35] }\n  - { name: gpt-4,'));
      serve.child.kill('SIGHUP');
      await until(() => serve.output().includes('config reloaded'));
      const models = (await (await fetch(`${serve.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
      expect(models.data.map((m) => m.id)).toContain('gpt-5');

      // 3. SIGTERM once 30 requests (half of them streams) have reached the upstream and wait
      // there; their answers are let go only after the gateway has started draining.
      const requests = Array.from({ length: IN_FLIGHT }, async (_, i) => {
        const stream = i % 2 === 0;
        const res = await fetch(`${serve.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4', stream, messages: [{ role: 'user', content: `request ${i}` }] }),
        });
        const text = await res.text();
        return { status: res.status, complete: stream ? text.trim().endsWith('data: [DONE]') : JSON.parse(text).choices[0].finish_reason === 'stop' };
      });
      await until(() => held.length === IN_FLIGHT);
      serve.child.kill('SIGTERM');
      await until(() => serve.output().includes('"msg":"draining"'));
      expect(serve.output()).toContain(`"inFlight":${IN_FLIGHT}`);
      // Draining: a new connection is refused (or answered 503), never served.
      const late = await fetch(`${serve.url}/readyz`).then((r) => r.status, () => 'refused');
      expect([503, 'refused']).toContain(late);
      held.splice(0).forEach((answer) => answer());

      const results = await Promise.all(requests);
      expect(results.filter((r) => r.status !== 200 || !r.complete)).toEqual([]);
      expect(await exited).toBe(0);
      expect(serve.output()).toContain('"clean":true');
      expect(upstream.count('/chat/completions')).toBe(IN_FLIGHT); // none retried, none lost
    } finally {
      await serve.stop();
    }
  });

  it('exits with code 2 listing every problem when the config is invalid', async () => {
    const file = await dir.write('bad.yaml', config(upstream.url).replace('chain: [gpt4, gpt35]', 'chain: [gpt4, gpt5]').replace('maxAttempts: 1', 'maxAttempts: 0'));
    const child = spawn(process.execPath, ['bin/bulwark.js', 'serve', '--config', file], {
      cwd: new URL('../..', import.meta.url), env: { ...process.env, UPSTREAM_KEY: 'k' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain("routes[0].chain[1]: unknown model group 'gpt5' (known: gpt4, gpt35)");
    expect(err).toContain('policies.retry.maxAttempts');
    expect(err).toContain('hint:');
  });
});
