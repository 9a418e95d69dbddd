import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// There is no Docker engine here, so the image is checked by reading the Dockerfile: what its
// runtime stage holds and how it starts. What it holds is what test/package/pack-install.test.ts
// runs from a tarball (dist + bin + config + templates + production deps, as nobody, read-only).
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

interface Stage { from: string; name: string; lines: string[] }

/** The Dockerfile's stages with their instructions (comments dropped, continuations joined). */
function stages(): Stage[] {
  const instructions = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const out: Stage[] = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ from: from[1]!, name: from[2] ?? String(out.length), lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

const all = stages();
const runtime = all.at(-1)!;
const copies = runtime.lines.filter((l) => /^COPY\s/i.test(l)).map((l) => {
  const parts = l.split(/\s+/).slice(1);
  const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
  const paths = parts.filter((p) => !p.startsWith('--'));
  return { from, sources: paths.slice(0, -1), target: paths.at(-1)! };
});

describe('the Dockerfile', () => {
  it('builds on Node 24 LTS and runs on a Node 24 distroless base', () => {
    for (const stage of all.slice(0, -1)) expect(stage.from).toMatch(/^node:24[.-]/);
    expect(runtime.from).toMatch(/^gcr\.io\/distroless\/nodejs24-debian\d+:nonroot$/);
  });

  it('is multi-stage: compiles in one stage, installs production dependencies only in another', () => {
    const build = all.find((s) => s.lines.some((l) => /node scripts\/build\.mjs/.test(l)));
    const deps = all.find((s) => s.lines.some((l) => /npm ci\b.*--omit=dev/.test(l)));
    expect(build && deps && build !== deps && build !== runtime && deps !== runtime).toBe(true);
    expect(deps!.lines.join('\n')).toMatch(/--ignore-scripts/);
  });

  it('copies only dist/ (compiled), production node_modules and the files the gateway reads into the runtime image', () => {
    const fromStages = copies.filter((c) => c.from).map((c) => `${c.from}:${c.sources.join(',')}`);
    expect(fromStages.sort()).toEqual(['build:/app/dist', 'deps:/app/node_modules']);
    const fromContext = copies.filter((c) => !c.from).flatMap((c) => c.sources);
    expect(fromContext.sort()).toEqual(['bin', 'config', 'package.json', 'templates']);
    for (const path of fromContext) expect(existsSync(join(ROOT, path))).toBe(true);
    // Never sources, tests, the TypeScript loader or npm at run time.
    expect(runtime.lines.join('\n')).not.toMatch(/\bsrc\b|\btest\b|tsx|\bnpm\b/);
    // What bin/bulwark.js runs is what the build stage emits.
    expect(readFileSync(join(ROOT, 'bin', 'bulwark.js'), 'utf8')).toContain("'../dist/cli/main.js'");
  });

  it('keeps the host\'s node_modules and dist/ out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist']));
  });

  it('runs as a non-root user, with node itself as PID 1 (exec form, no npm, no shell)', () => {
    const user = runtime.lines.filter((l) => /^USER\s/i.test(l)).at(-1);
    expect(user).toMatch(/^USER\s+65532(:65532)?$/);
    expect(runtime.lines.some((l) => /^ENTRYPOINT\s/i.test(l))).toBe(false); // distroless: /nodejs/bin/node
    const cmd = runtime.lines.filter((l) => /^CMD\s/i.test(l)).at(-1)!;
    const argv = JSON.parse(cmd.replace(/^CMD\s+/i, '')) as string[];
    expect(argv.slice(0, 2)).toEqual(['bin/bulwark.js', 'serve']);
    expect(text).not.toMatch(/--chown/); // files stay root-owned: read-only to the app
  });
});
