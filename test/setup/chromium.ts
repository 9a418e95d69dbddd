import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where the browser tests expect Debian's Chromium (driven through playwright-core). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** How long apt-get may wait for another apt/dpkg holding the lock (an install already running). */
const APT_LOCK_TIMEOUT_S = 600;

/**
 * Installs Debian's `chromium` package with apt-get when `path` is missing (as root, or through
 * passwordless sudo). Returns what happened, so the setup can say it; never downloads a browser
 * from anywhere but the system's package sources.
 */
export function ensureChromium(path = CHROMIUM_PATH): 'present' | 'installed' | string {
  if (existsSync(path)) return 'present';
  return aptInstall(['chromium']) ?? (existsSync(path) ? 'installed' : `apt-get installed chromium but ${path} is still missing`);
}

/**
 * Runs `apt-get update` and `apt-get install -y <packages>`; returns undefined on success, else a
 * sentence saying why not (no apt-get, not root and no sudo, or apt's own error).
 */
export function aptInstall(packages: string[]): string | undefined {
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) return `apt-get is not available: install ${packages.join(', ')} by hand`;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!root && !sudo) return `not root and no passwordless sudo: run 'sudo apt-get install ${packages.join(' ')}'`;
  const run = (args: string[]) => {
    const command = sudo ? 'sudo' : 'apt-get';
    const argv = [...(sudo ? ['-n', 'apt-get'] : []), '-o', `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_S}`, ...args];
    return spawnSync(command, argv, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  const update = run(['update', '-qq']);
  if (update.status !== 0) return `apt-get update failed: ${update.stderr.trim()}`;
  const install = run(['install', '-y', '-qq', ...packages]);
  if (install.status !== 0) return `apt-get install ${packages.join(' ')} failed: ${install.stderr.trim()}`;
  return undefined;
}
