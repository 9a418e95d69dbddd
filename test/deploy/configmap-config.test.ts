import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../../src/gateway/config/load.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const DIR = join(ROOT, 'deploy/kubernetes');

type Doc = { kind: string; metadata: { name: string }; [key: string]: any };
async function manifest(file: string, kind: string): Promise<Doc> {
  const docs = parseAllDocuments(await readFile(join(DIR, file), 'utf8')).map((d) => d.toJSON() as Doc);
  return docs.find((d) => d.kind === kind)!;
}

/** The environment a gateway pod gets: each env var of the container, resolved from the Secret. */
async function podEnv(): Promise<Record<string, string>> {
  const secret = await manifest('secret.yaml', 'Secret');
  const container = (await manifest('deployment.yaml', 'Deployment')).spec.template.spec.containers[0];
  return Object.fromEntries(container.env.map((e: any) => [e.name, secret.stringData[e.valueFrom.secretKeyRef.key]]));
}

describe('the ConfigMap\'s embedded bulwark.yaml', () => {
  let dir: string;
  let file: string;
  let yaml: string;
  beforeAll(async () => {
    yaml = (await manifest('configmap.yaml', 'ConfigMap')).data['bulwark.yaml'];
    dir = await mkdtemp(join(tmpdir(), 'bulwark-configmap-'));
    file = join(dir, 'bulwark.yaml');
    await writeFile(file, yaml);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes `bulwark config check` with the pod\'s environment', async () => {
    const { stdout } = await run(process.execPath, ['bin/bulwark.js', 'config', 'check', file], { cwd: ROOT, env: { ...process.env, ...(await podEnv()) } });
    expect(stdout).toContain('valid');
  });

  it('is ready for replicas on 0.0.0.0: gateway keys, shared state in the Redis Service, a load-shedding section', async () => {
    const config = parseConfig(yaml, { source: 'configmap', env: await podEnv() });
    expect(config.auth.keys.length).toBeGreaterThan(0); // serve refuses 0.0.0.0 without keys
    expect(config.auth.adminKeySha256).toMatch(/^[0-9a-f]{64}$/);
    const redisService = await manifest('redis.yaml', 'Service');
    expect(config.state.redis?.url).toBe(`redis://${redisService.metadata.name}:${redisService.spec.ports[0].port}`);
    expect(config.loadShedding).toMatchObject({ enabled: false, gateway: { minLimit: 200 }, deployment: { minLimit: 50 } });
  });

  it('the check can fail: without the Secret\'s values it exits 2 naming the problem', async () => {
    const env = { ...process.env, ...(await podEnv()), GATEWAY_KEY_SHA256: 'not-a-digest' };
    const failed = await run(process.execPath, ['bin/bulwark.js', 'config', 'check', file], { cwd: ROOT, env }).then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain('auth.keys[0].sha256');
  });
});
