import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** sha256 hex of a gateway key, as `auth.keys[].sha256` wants it. */
/**
 * The head of every scale test's gateway config: quiet logging, an ephemeral port, and the mock's
 * logical deployments `primary` (group gpt4) and `secondary` (group gpt35) behind key ${MOCK_KEY}.
 */
export function mockDeploymentsYaml(mock: { deploymentUrl(name: string): string }): string {
  return `server: { port: 0 }
logging: { level: warn }
providers:
  p: { type: openai, baseUrl: "${mock.deploymentUrl('primary')}/v1", apiKey: "\${MOCK_KEY}" }
  s: { type: openai, baseUrl: "${mock.deploymentUrl('secondary')}/v1", apiKey: "\${MOCK_KEY}" }
modelGroups:
  gpt4: { deployments: [ { id: primary, provider: p, model: gpt-4o } ] }
  gpt35: { deployments: [ { id: secondary, provider: s, model: gpt-4o-mini } ] }`;
}

export const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

/** A real `bulwark serve` child process on an ephemeral port. */
export interface GatewayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after 3 s; resolves when the process is gone. */
  stop(): Promise<void>;
}

/** Spawns `bulwark serve --config <file> --port 0` and resolves once it prints its URL. */
export async function spawnGateway(configPath: string, env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['bin/bulwark.js', 'serve', '--config', configPath, '--port', '0'], {
    cwd: ROOT, env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner in time:\n${out}`)), 20_000);
    const onData = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve(match[1]);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited early (${code}):\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * `count` replicas of the same config. If one fails to start, the others are stopped before the
 * error is thrown (with a bare `Promise.all` they were left running, orphaned, after the test).
 */
export async function spawnGateways(count: number, configPath: string, env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => spawnGateway(configPath, env)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const replicas = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (failed) {
    await Promise.all(replicas.map((r) => r.stop()));
    throw failed.reason;
  }
  return replicas;
}

/** A temporary directory for config files, removed by `close()`. */
export async function tempDir(): Promise<{ path: string; write(name: string, text: string): Promise<string>; close(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'bulwark-scale-'));
  return {
    path,
    async write(name, text) {
      const file = join(path, name);
      await writeFile(file, text);
      return file;
    },
    close: () => rm(path, { recursive: true, force: true }),
  };
}

/** One chat request; returns the status, the x-bulwark-* headers that matter and Retry-After. */
export async function chat(url: string, options: { model?: string; prompt?: string; key?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ model: options.model ?? 'gpt-4', messages: [{ role: 'user', content: options.prompt ?? 'hello' }], max_tokens: 16 }),
  });
  await res.arrayBuffer();
  return {
    status: res.status,
    servedBy: res.headers.get('x-bulwark-served-by'),
    attempts: Number(res.headers.get('x-bulwark-attempts')),
    retryAfter: res.headers.get('retry-after'),
  };
}

/** `GET /admin/state` of a replica. */
export async function adminState(url: string, adminKey: string): Promise<{
  backend: string; status: string; liveReplicas: number; outages: number;
  breakers: Record<string, { state: string; changedAt: number } | undefined>;
  cluster: Record<string, { at: number; deployments: Array<{ id: string; breaker: string; ejected: boolean }> }>;
}> {
  const res = await fetch(`${url}/admin/state`, { headers: { authorization: `Bearer ${adminKey}` } });
  if (res.status !== 200) throw new Error(`/admin/state answered ${res.status}: ${await res.text()}`);
  return res.json() as never;
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000, intervalMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
