// vitest globalSetup: brings what the suite needs, so `npm test` passes on a fresh machine by
// itself. Before any test file runs: dist/ is built when stale (tests spawn the compiled `bin`),
// a Redis answers on the test URL (started here when none does, and then stopped here; a Redis
// that was already running is left alone), and Debian's Chromium, kubectl, openssl and promtool
// (package prometheus) are installed when missing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { aptInstall, ensureChromium } from './chromium.js';
import { ensureRedis, type StartedRedis } from './redis-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The same default as src/state/test-support.ts (BULWARK_TEST_REDIS_URL overrides both). */
const TEST_REDIS_URL = process.env.BULWARK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const say = (line: string) => process.stderr.write(`[test setup] ${line}\n`);

function build(): void {
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the build (node scripts/build.mjs) failed: the tests that run the compiled CLI cannot run');
}

async function redis(): Promise<StartedRedis | undefined> {
  const url = new URL(TEST_REDIS_URL);
  // Only a loopback Redis is ours to start; a remote one is the operator's business.
  if (!LOOPBACK.has(url.hostname)) return undefined;
  const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 6379);
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    say('redis-server is missing: installing Debian\'s redis-server');
    const failed = aptInstall(['redis-server']);
    if (failed) throw new Error(`the tests need a Redis on ${host}:${port}: ${failed}`);
  }
  const started = await ensureRedis(host, port);
  if (started) say(`started redis-server on ${host}:${port} (pid ${started.pid}); it stops when the run ends`);
  return started;
}

/** A command that answers `--help`/`version` (present on PATH). */
function has(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/**
 * The deploy tests render the kustomize overlays (`kubectl kustomize`), the TLS test makes
 * certificates (`openssl`), the alert rules test checks the rules with Prometheus's `promtool`
 * (Debian's `prometheus` package; without it that test was skipped on every machine).
 */
function tools(): void {
  const missing: string[] = [];
  if (!has('kubectl', ['version', '--client']) && !has('kustomize', ['version'])) missing.push('kubectl');
  if (!has('openssl', ['version'])) missing.push('openssl');
  if (!has('promtool', ['--version'])) missing.push('prometheus');
  if (missing.length === 0) return;
  say(`installing Debian's ${missing.join(', ')}`);
  const failed = aptInstall(missing);
  if (failed) say(`could not install ${missing.join(', ')} (${failed}): the tests that need them will fail`);
}

export default async function setup(): Promise<() => Promise<void>> {
  build();
  tools();
  const chromium = ensureChromium();
  if (chromium === 'installed') say('installed Debian\'s chromium');
  else if (chromium !== 'present') say(`Chromium is missing and could not be installed (${chromium}): the browser tests will fail`);
  const started = await redis();
  return async () => {
    await started?.stop();
  };
}
