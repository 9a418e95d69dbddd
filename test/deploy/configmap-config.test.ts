import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/gateway/config/load.js';
import { containerEnv, find, OVERLAYS, render, type Overlay } from './kustomize.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');

/** An overlay's gateway config as mounted, and the environment its pods get. */
function podConfig(overlay: Overlay) {
  const manifests = render(overlay);
  const gateway = find(manifests, 'Deployment', 'bulwark');
  const container = gateway.spec.template.spec.containers[0];
  const mounted = gateway.spec.template.spec.volumes.find((v: any) => v.name === 'config').configMap.name;
  const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === mounted)!;
  const env = containerEnv(manifests, container);
  return { manifests, gateway, container, yaml: configMap.data['bulwark.yaml'] as string, env, config: parseConfig(configMap.data['bulwark.yaml'], { source: overlay, env }) };
}

describe.each(OVERLAYS)('the %s overlay\'s gateway config', (overlay) => {
  const pod = podConfig(overlay);
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-configmap-'));
    file = join(dir, 'bulwark.yaml');
    await writeFile(file, pod.yaml);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes `bulwark config check` with the pod\'s environment', async () => {
    const { stdout } = await run(process.execPath, ['bin/bulwark.js', 'config', 'check', file], { cwd: ROOT, env: { ...process.env, ...pod.env } });
    expect(stdout).toContain('valid');
  });

  it('the check can fail: with a bad digest in the Secret it exits 2 naming the problem', async () => {
    const env = { ...process.env, ...pod.env, GATEWAY_KEY_SHA256: 'not-a-digest' };
    const failed = await run(process.execPath, ['bin/bulwark.js', 'config', 'check', file], { cwd: ROOT, env }).then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain('auth.keys[0].sha256');
  });

  it('is ready for replicas on 0.0.0.0: gateway keys, an admin key, a load-shedding section', () => {
    expect(pod.config.auth.keys.length).toBeGreaterThan(0); // serve refuses 0.0.0.0 without keys
    expect(pod.config.auth.adminKeySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(pod.config.loadShedding).toMatchObject({ enabled: false, gateway: { minLimit: 200 }, deployment: { minLimit: 50 } });
  });

  it('shares state through this overlay\'s Redis, with the Secret\'s password', () => {
    const secret = find(pod.manifests, 'Secret', 'bulwark-secrets');
    const redis = pod.config.state.redis!;
    expect(redis.password).toBe(secret.stringData['redis-password']);
    if (overlay === 'single') {
      const service = find(pod.manifests, 'Service', 'bulwark-redis');
      expect(redis.url).toBe(`redis://${service.metadata.name}:${service.spec.ports[0].port}`);
      return;
    }
    const sentinels = find(pod.manifests, 'StatefulSet', 'bulwark-redis');
    const headless = find(pod.manifests, 'Service', sentinels.spec.serviceName);
    const port = headless.spec.ports.find((p: any) => p.name === 'sentinel').port;
    expect(redis.sentinel).toMatchObject({ masterName: 'bulwark', password: secret.stringData['redis-password'] });
    expect(redis.sentinel!.nodes).toEqual(Array.from({ length: sentinels.spec.replicas }, (_, i) => `${sentinels.metadata.name}-${i}.${headless.metadata.name}:${port}`));
    const init = find(pod.manifests, 'ConfigMap', 'bulwark-redis-scripts').data['init.sh'] as string;
    expect(init).toContain(`MASTER_NAME="\${MASTER_NAME:-${redis.sentinel!.masterName}}"`);
  });

  it('shutdown timings have a margin: terminationGracePeriodSeconds > preStop + drain + in-flight grace (+ 5 s at least)', () => {
    const preStopMs = pod.container.lifecycle.preStop.sleep.seconds * 1000;
    const { drainDelayMs, shutdownGraceMs } = pod.config.server; // shutdownGraceMs = drain + in-flight grace
    expect(drainDelayMs).toBeGreaterThan(0);
    expect(shutdownGraceMs).toBeGreaterThan(drainDelayMs);
    const terminationMs = pod.gateway.spec.template.spec.terminationGracePeriodSeconds * 1000;
    const needMs = preStopMs + drainDelayMs + (shutdownGraceMs - drainDelayMs);
    expect(terminationMs - needMs).toBeGreaterThanOrEqual(5_000);
  });
});

describe('the overlays\' configs', () => {
  it('differ only in `state` (the routes, keys and policies are the same)', () => {
    const [single, ha] = OVERLAYS.map((o) => podConfig(o).config);
    expect({ ...single, state: undefined }).toEqual({ ...ha, state: undefined });
    expect(single.state).not.toEqual(ha.state);
  });
});
