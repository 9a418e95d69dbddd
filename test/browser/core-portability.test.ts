import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// ARCHITECTURE.md: the core runs in Node, browsers and edge runtimes. The browser test proves it
// for the paths it runs; this reads every shipped file of src/core for what only Node has, so a
// new use cannot hide on a path the browser test does not take. A Node API is fine only behind a
// feature check (`typeof globalThis.setImmediate === 'function'`, a method looked up before use).
const CORE = fileURLToPath(new URL('../../src/core', import.meta.url));

const NODE_ONLY: Array<[RegExp, string]> = [
  [/\bfrom\s+['"](node:[^'"]+|fs|path|os|crypto|events|timers|util|stream|buffer|net|http|child_process)['"]/, 'imports a Node built-in module'],
  [/\bimport\(\s*['"]node:/, 'imports a Node built-in module'],
  [/\brequire\s*\(/, 'uses require()'],
  [/\bprocess\s*\./, 'uses process'],
  [/\bBuffer\b/, 'uses Buffer'],
  [/(?<!globalThis\.)\bsetImmediate\s*\(/, 'calls setImmediate (Node only) unguarded'],
  [/\.unref\s*\(|\.ref\s*\(\s*\)/, 'calls a timer\'s unref()/ref() unguarded'],
  [/\b__dirname\b|\b__filename\b|import\.meta\.(dirname|filename)/, 'uses Node module paths'],
  [/\bNodeJS\./, 'names a NodeJS type (the declarations would need @types/node)'],
];

function shipped(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return shipped(path);
    return path.endsWith('.ts') && !/\.(test|bench|contract)\.ts$/.test(path) ? [path] : [];
  });
}

/** Each line of code outside comments that matches a Node-only pattern. */
function findings(): string[] {
  const found: string[] = [];
  for (const file of shipped(CORE)) {
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
    code.split('\n').forEach((line, index) => {
      const text = line.replace(/\/\/.*$/, '');
      for (const [pattern, what] of NODE_ONLY) if (pattern.test(text)) found.push(`${relative(CORE, file)}:${index + 1} ${what}: ${text.trim()}`);
    });
  }
  return found;
}

describe('src/core uses nothing only Node has', () => {
  it('no file of the core imports or calls a Node-only API unguarded', () => {
    expect(findings()).toEqual([]);
  });

  it('the scan finds what it looks for', () => {
    const probe = NODE_ONLY.filter(([pattern]) => ["import { x } from 'node:fs';", 'timer.unref();', 'setImmediate(fn);', 'process.env.X'].some((line) => pattern.test(line)));
    expect(probe.length).toBe(4);
    expect(NODE_ONLY.some(([pattern]) => pattern.test('globalThis.setImmediate(fn)'))).toBe(false);
  });
});
