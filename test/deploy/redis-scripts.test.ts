import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { directClient, PORTS, RedisServer, until } from '../redis/servers.js';
import { containerEnv, containersOf, find, render } from './kustomize.js';

// The Redis containers' own scripts, taken from the rendered manifests and run for real here
// (sh, redis-server, redis-cli on loopback): the config they write is one Redis accepts, the
// password is required, and the Sentinel set's init finds the primary the way the pods will.
const run = promisify(execFile);
const P = PORTS.deploy;

const started: RedisServer[] = [];
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-k8s-redis-'));
  dirs.push(dir);
  return dir;
}
async function start(port: number, args: string[], conf: string): Promise<RedisServer> {
  const server = await RedisServer.start(port, args, conf);
  started.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** The container's args without the config file (the harness passes its own copy first). */
const argsAfterConf = (container: any) => (container.args as string[]).slice(1);

describe('overlays/single: the Redis pod', () => {
  const manifests = render('single');
  const pod = containersOf(manifests).filter((c) => c.workload === 'bulwark-redis');
  const init = pod.find((c) => c.init)!.container;
  const redis = pod.find((c) => !c.init)!.container;
  const env = containerEnv(manifests, init);
  const password = find(manifests, 'Secret', 'bulwark-secrets').stringData['redis-password'];

  it('writes a config that requires the Secret\'s password; the readiness probe passes with it and fails without', async () => {
    const conf = await tempDir();
    const script = (init.command as string[])[2].replaceAll('/conf/', `${conf}/`);
    await run('sh', ['-c', script], { env: { PATH: process.env.PATH, ...env } });
    await start(P.standalone, argsAfterConf(redis), await readFile(join(conf, 'redis.conf'), 'utf8'));
    const probe = (redis.readinessProbe.exec.command as string[]).map((part) => part.replace('redis-cli', `redis-cli -p ${P.standalone}`));
    const redisEnv = containerEnv(manifests, redis);
    await expect(run(probe[0], probe.slice(1), { env: { PATH: process.env.PATH, ...redisEnv } })).resolves.toBeDefined();
    await expect(run(probe[0], probe.slice(1), { env: { PATH: process.env.PATH, REDISCLI_AUTH: 'wrong' } })).rejects.toBeDefined();
    const anonymous = await directClient(P.standalone, { enableReadyCheck: false });
    await expect(anonymous.get('x')).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();
    const authed = await directClient(P.standalone, { password });
    expect(await authed.ping()).toBe('PONG');
    authed.disconnect();
  });
});

describe('overlays/ha: the Sentinel set\'s init script', () => {
  const manifests = render('ha');
  const script = find(manifests, 'ConfigMap', 'bulwark-redis-scripts').data['init.sh'] as string;
  const set = find(manifests, 'StatefulSet', 'bulwark-redis');
  const containers = set.spec.template.spec.containers as any[];
  const redis = containers.find((c) => c.name === 'redis');
  const sentinel = containers.find((c) => c.name === 'sentinel');
  const password = find(manifests, 'Secret', 'bulwark-secrets').stringData['redis-password'];

  async function init(podName: string, sentinelPort: number): Promise<{ redisConf: string; sentinelConf: string; dir: string }> {
    const dir = await tempDir();
    await writeFile(join(dir, 'init.sh'), script);
    const env = { PATH: process.env.PATH, ...containerEnv(manifests, set.spec.template.spec.initContainers[0], { 'metadata.name': podName }), CONF_DIR: dir, SENTINEL_HOST: '127.0.0.1', SENTINEL_PORT: String(sentinelPort) };
    await run('sh', [join(dir, 'init.sh')], { env });
    return { redisConf: await readFile(join(dir, 'redis.conf'), 'utf8'), sentinelConf: await readFile(join(dir, 'sentinel.conf'), 'utf8'), dir };
  }

  it('on a fresh set (no sentinel answers): pod 0 is primary, the others replicate pod 0; everything needs the password', async () => {
    const zero = await init('bulwark-redis-0', P.closed);
    expect(zero.redisConf).not.toMatch(/replicaof/);
    expect(zero.redisConf).toContain(`requirepass "${password}"`);
    expect(zero.redisConf).toContain(`masterauth "${password}"`);
    expect(zero.sentinelConf).toContain('sentinel monitor bulwark bulwark-redis-0.bulwark-redis-headless 6379 2');
    expect(zero.sentinelConf).toContain(`sentinel auth-pass bulwark "${password}"`);
    const one = await init('bulwark-redis-1', P.closed);
    expect(one.redisConf).toContain('replicaof bulwark-redis-0.bulwark-redis-headless 6379');
    expect(one.redisConf).toContain('replica-announce-ip bulwark-redis-1.bulwark-redis-headless');
  });

  it('a pod (re)starting while the sentinels know a primary joins that one; the files it writes run as Redis and Sentinel', async () => {
    // The current primary (as pod 0 writes it) and a sentinel that watches it, as after a failover.
    const primaryConf = await init('bulwark-redis-0', P.closed);
    await start(P.primary, argsAfterConf(redis), primaryConf.redisConf);
    await start(P.sentinel, ['--sentinel'], [
      `sentinel monitor bulwark 127.0.0.1 ${P.primary} 1`, `sentinel auth-pass bulwark "${password}"`, `requirepass "${password}"`, '',
    ].join('\n'));
    const asked = await directClient(P.sentinel, { password });
    await until('the sentinel answers', async () => ((await asked.call('SENTINEL', 'get-master-addr-by-name', 'bulwark')) ? true : undefined));
    asked.disconnect();

    const joining = await init('bulwark-redis-2', P.sentinel);
    expect(joining.redisConf).toContain(`replicaof 127.0.0.1 ${P.primary}`);
    expect(joining.sentinelConf).toContain(`sentinel monitor bulwark 127.0.0.1 ${P.primary} 2`);
    // Its redis.conf makes a replica that authenticates to the primary…
    await start(P.replica, argsAfterConf(redis), joining.redisConf);
    const replica = await directClient(P.replica, { password });
    await until('the replica syncs with the primary (masterauth works)', async () => ((await replica.info('replication')).includes('master_link_status:up') ? true : undefined), 15_000);
    replica.disconnect();
    // …and its sentinel.conf makes a sentinel (password required) that knows the primary.
    await start(P.generatedSentinel, argsAfterConf(sentinel), joining.sentinelConf);
    const generated = await directClient(P.generatedSentinel, { password });
    expect(await generated.call('SENTINEL', 'get-master-addr-by-name', 'bulwark')).toEqual(['127.0.0.1', String(P.primary)]);
    generated.disconnect();
    const anonymous = await directClient(P.generatedSentinel, { enableReadyCheck: false });
    await expect(anonymous.call('SENTINEL', 'masters')).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();
  });

  it('refuses a password that would break the config files', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'init.sh'), script);
    const failed = await run('sh', [join(dir, 'init.sh')], { env: { PATH: process.env.PATH, POD_NAME: 'bulwark-redis-0', REDIS_PASSWORD: 'has "quotes"', CONF_DIR: dir, SENTINEL_HOST: '127.0.0.1', SENTINEL_PORT: String(P.closed) } })
      .then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('must not hold quotes');
  });
});
