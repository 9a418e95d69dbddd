#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ (JavaScript, declarations, source maps with the sources
// inlined) and copies the files the compiled code reads at run time (the dashboard's page, script
// and style). `tsc -b` is incremental and skips the compile when dist/ is up to date (~0.5 s),
// so `npm start` and the test setup call this before every run. Outputs whose source file is
// gone are deleted, so an incremental build never ships a module that no longer exists.
//
//   node scripts/build.mjs           incremental (what npm start, the test setup and prepare use)
//   node scripts/build.mjs --clean   from scratch (what prepack uses: the tarball is never stale)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
const TSCONFIG = join(ROOT, 'tsconfig.build.json');
/** Files under src/ that compiled modules read beside themselves at run time. */
const ASSETS = ['ops/dashboard/page.html', 'ops/dashboard/dashboard.js', 'ops/dashboard/dashboard-replicas.js', 'ops/dashboard/dashboard.css'];
const OUTPUT = /(\.d\.ts|\.js\.map|\.js)$/;

// tsconfig.build.json's `exclude` globs (such as src/**/*.test.ts) as one RegExp over src paths.
function excludedSources() {
  const globs = JSON.parse(readFileSync(TSCONFIG, 'utf8')).exclude ?? [];
  const toRegExp = (glob) =>
    glob.split('**/').map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('(?:.*/)?');
  return new RegExp(`^(?:${globs.map(toRegExp).join('|')})$`);
}

if (process.argv.includes('--clean')) rmSync(DIST, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-b', TSCONFIG], { cwd: ROOT, stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

for (const asset of ASSETS) {
  const from = join(SRC, asset);
  const to = join(DIST, asset);
  if (existsSync(to) && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue;
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

const assets = new Set(ASSETS.map((a) => join(DIST, a)));
const excluded = excludedSources();
/**
 * Deletes compiled outputs (and then empty folders) whose TypeScript source no longer exists or
 * is now excluded from the build (a helper renamed to *.fixture.ts must leave the tarball).
 */
function prune(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
      continue;
    }
    if (assets.has(path) || !OUTPUT.test(entry.name)) continue;
    const source = join('src', relative(DIST, path).replace(OUTPUT, '.ts'));
    if (!existsSync(join(ROOT, source)) || excluded.test(source.split('\\').join('/'))) rmSync(path);
  }
}
prune(DIST);
