/**
 * What the benchmarks share. Server processes of the benchmarks: each prints `listening on http://…` once it serves; every one
 * started is killed when the benchmark exits, however it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Whether the compiled CLI exists (`npm run build`): benchmarks then run what users run. */
export const COMPILED_CLI = existsSync(new URL('../dist/cli/main.js', import.meta.url));

/** Node arguments running the CLI with `args`: compiled when built, else the sources through tsx. */
export const cliArgs = (args: string[]): string[] => (COMPILED_CLI ? ['dist/cli/main.js', ...args] : ['--import', 'tsx', 'src/cli/main.ts', ...args]);

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts `node ...args` (no provider keys in its environment) and resolves once it listens. */
export async function startChild(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' } });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += String(chunk);
      const match = /listening on (http:\/\/[\d.:]+)/.exec(seen);
      if (match) resolve(match[1]);
    });
    child.on('exit', () => reject(new Error(`${args.join(' ')} did not start:\n${seen}`)));
  });
  return { child, url };
}

/** Stops a child started by {@link startChild} and waits for it to exit. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** What the benchmarks read of an autocannon run. */
export interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  non2xx: number;
}

/** autocannon (CommonJS), typed as the benchmarks use it. */
export const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

/** The median of `xs` (the upper one of an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
