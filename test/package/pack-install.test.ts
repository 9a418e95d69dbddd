import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What a user gets from `npm install bulwark`: the project packed with `npm pack` (its prepack
// build included), installed from the tarball into an empty project with the public npm registry
// (only typescript and @types/node besides Bulwark's own dependencies), then used from there with
// plain `node` — no tsx, no sources.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ours = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
const run = promisify(execFile);
/** No provider keys: the embedded default config answers from its built-in mock. */
const NO_KEYS = { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' };
const SHIPPED = /^(package\.json|README\.md|bin\/bulwark\.js|config\/[^/]+\.(yaml|json)|templates\/.+\.yaml|dist\/.+\.(js|d\.ts|js\.map|css|html))$/;
const TEST_ONLY = /(^|\/)(test|tests|bench|fixtures?)\/|\.(test|bench|contract|fixture)\.|test-(support|helpers|events)\./;

interface PackedFile { path: string; size: number }
interface Packed { filename: string; size: number; unpackedSize: number; entryCount: number; files: PackedFile[] }

let work: string;
let app: string;
let packed: Packed;

/** A `bulwark serve` child on an ephemeral port; resolves once its banner names the URL. */
async function serve(options: { cwd: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number }): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const bin = join(app, 'node_modules', 'bulwark', 'bin', 'bulwark.js');
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bulwark serve exited (${code}) before listening:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

async function chat(url: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'Hello' }] }),
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bulwark-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, maxBuffer: 64 << 20 });
  packed = (JSON.parse(stdout.slice(stdout.indexOf('['))) as Packed[])[0]!;
  app = join(work, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error',
    join(work, packed.filename), `typescript@${ours.devDependencies.typescript}`, `@types/node@${ours.devDependencies['@types/node']}`], { cwd: app, maxBuffer: 64 << 20 });
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the npm tarball', () => {
  it('holds the compiled package only: dist (js, declarations, maps), bin, config, templates — no tests, fixtures or benches', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths.filter((p) => !SHIPPED.test(p))).toEqual([]);
    expect(paths.filter((p) => TEST_ONLY.test(p))).toEqual([]);
    for (const entry of ['dist/index', 'dist/core/index', 'dist/ops/index', 'dist/chaos/mock/index', 'dist/cli/main']) {
      expect(paths).toEqual(expect.arrayContaining([`${entry}.js`, `${entry}.d.ts`, `${entry}.js.map`]));
    }
    expect(paths).toEqual(expect.arrayContaining(['dist/ops/dashboard/page.html', 'dist/ops/dashboard/dashboard.js', 'config/default.yaml']));
    expect(paths.some((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toBe(false);
    console.log(`tarball ${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked`);
  });

  it('installs without tsx, and the source maps carry their sources', () => {
    expect(existsSync(join(app, 'node_modules', 'bulwark', 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);
    const map = JSON.parse(readFileSync(join(app, 'node_modules', 'bulwark', 'dist', 'core', 'retry.js.map'), 'utf8')) as { sourcesContent?: string[] };
    expect(map.sourcesContent?.[0]).toContain('export function retry(');
  });

  it('imports bulwark and bulwark/core from plain node ESM, and they run', async () => {
    const script = `
      import { retry, constantBackoff, CircuitBreaker, pipeline, timeout } from 'bulwark/core';
      import * as bulwark from 'bulwark';
      let calls = 0;
      const answer = await pipeline(retry({ maxAttempts: 3, backoff: constantBackoff(1) }), new CircuitBreaker(), timeout({ timeoutMs: 5000 }))
        .execute(() => { calls++; if (calls < 2) throw new Error('flaky'); return 'ok'; });
      console.log(JSON.stringify({ answer, calls, createRouter: typeof bulwark.createRouter, sameCore: bulwark.retry === retry }));`;
    await writeFile(join(app, 'esm.mjs'), script);
    const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ answer: 'ok', calls: 2, createRouter: 'function', sameCore: true });
  });

  it('loads bulwark and bulwark/core with require() (require(esm): Node 20.19+, 22, 24)', async () => {
    const script = `
      const core = require('bulwark/core');
      const bulwark = require('bulwark');
      let calls = 0;
      core.pipeline(core.retry({ maxAttempts: 3, backoff: core.constantBackoff(1) }), new core.CircuitBreaker())
        .execute(() => { calls++; if (calls < 2) throw new Error('flaky'); return 'ok'; })
        .then((answer) => console.log(JSON.stringify({ answer, calls, createRouter: typeof bulwark.createRouter, sameCore: bulwark.retry === core.retry })));`;
    await writeFile(join(app, 'cjs.cjs'), script);
    const { stdout, stderr } = await run(process.execPath, ['cjs.cjs'], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ answer: 'ok', calls: 2, createRouter: 'function', sameCore: true });
    expect(stderr).not.toMatch(/error/i);
  });

  it('type-checks a consumer under strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes, without skipLibCheck', async () => {
    await copyFile(fileURLToPath(new URL('./consumer.ts', import.meta.url)), join(app, 'consumer.ts'));
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true, skipLibCheck: false, noEmit: true, types: ['node'],
      },
      include: ['consumer.ts'],
    }));
    const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', '.'], { cwd: app }).then(() => '', (error: { stdout: string }) => error.stdout);
    expect(result).toBe('');
  }, 240_000);

  it('npx bulwark --help runs the compiled CLI', async () => {
    const { stdout } = await run('npx', ['--no-install', 'bulwark', '--help'], { cwd: app });
    expect(stdout).toContain('Usage: bulwark <command> [options]');
    const version = await run('npx', ['--no-install', 'bulwark', '--version'], { cwd: app });
    expect(version.stdout.trim()).toBe(ours.version);
  });

  it('bulwark serve (embedded default config, built-in mock) reaches /readyz, answers a chat and stops on SIGTERM', async () => {
    const { child, url, output } = await serve({ cwd: app, env: NO_KEYS });
    try {
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const reply = await chat(url);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('x-bulwark-served-by')).toBeTruthy();
      expect((await fetch(`${url}/dashboard`)).status).toBe(200);
    } finally {
      expect(await stop(child)).toBe(0);
    }
    expect(output()).not.toMatch(/tsx|ERR_/);
  }, 60_000);

  it('starts and answers with a read-only working directory and an unwritable TMPDIR and HOME', async () => {
    // As root, permissions do not bind: the gateway then runs as nobody (65534), as in the image.
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    const as = root ? { uid: 65534, gid: 65534 } : {};
    const readOnly = join(work, 'read-only');
    const noTmp = join(work, 'no-tmp');
    await mkdir(readOnly);
    await mkdir(noTmp);
    await chmod(readOnly, 0o555);
    await chmod(noTmp, 0o555);
    await chmod(work, 0o755);
    const env = { ...NO_KEYS, TMPDIR: noTmp, TMP: noTmp, TEMP: noTmp, HOME: readOnly, XDG_CACHE_HOME: readOnly };
    // The premise: this user really cannot write there.
    const probe = `for (const d of [process.cwd(), process.env.TMPDIR]) { try { require('fs').writeFileSync(d + '/probe', 'x'); console.log('wrote ' + d); } catch (e) { console.log(e.code); } }`;
    const { stdout } = await run(process.execPath, ['-e', probe], { cwd: readOnly, env, ...as });
    expect(stdout.trim().split('\n')).toEqual(['EACCES', 'EACCES']);

    const { child, url } = await serve({ cwd: readOnly, env, ...as });
    try {
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect((await chat(url)).status).toBe(200);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  }, 60_000);
});
