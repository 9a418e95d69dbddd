import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_FAILED, EXIT_USAGE } from '../command.js';
import mock from './mock.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bulwark-mock-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bulwark mock', () => {
  it('rejects bad options and profiles with exit code 2, naming the problem', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => errors.push(message);
    try {
      expect(await mock.run(['--profile', 'stormy'])).toBe(EXIT_USAGE);
      expect(errors.pop()).toMatch(/"stormy" is neither a preset/);
      expect(await mock.run(['--port', 'abc'])).toBe(EXIT_USAGE);
      expect(errors.pop()).toMatch(/^bulwark mock: --port: expected an integer 0\.\.65535 \(got "abc"\)/);
      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, 'default:\n  errors:\n    "500": 7\n');
      expect(await mock.run(['--profile', bad])).toBe(EXIT_USAGE);
      expect(errors.pop()).toMatch(/profile\.default\.errors\.500: .*\(got 7\)/);
      expect(await mock.run(['--nope'])).toBe(EXIT_USAGE);
    } finally {
      console.error = original;
    }
  });

  it('a port already taken is exit 1 (failed to start), naming host and port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => errors.push(message);
    try {
      expect(await mock.run(['--port', String(port)])).toBe(EXIT_FAILED);
      expect(errors.pop()).toMatch(new RegExp(`^bulwark mock: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      console.error = original;
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('serves a YAML profile file until SIGTERM, then exits 0', async () => {
    const file = join(dir, 'profile.yaml');
    await writeFile(file, 'deployments:\n  primary:\n    errors: { "503": 1 }\n');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'mock', '--port', '0', '--profile', file, '--seed', '7'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    try {
      for await (const chunk of child.stdout) {
        output += String(chunk);
        if (output.includes('\n')) break;
      }
      const url = /listening on (\S+)/.exec(output)![1];
      expect(output).toMatch(/seed 7/);
      const call = (prefix: string) =>
        fetch(`${url}${prefix}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }) });
      expect((await call('/deployments/primary')).status).toBe(503);
      expect((await call('/deployments/secondary')).status).toBe(200);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
