import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import configCommand from '../../src/cli/commands/config.js';
import { hashKey } from '../../src/gateway/auth.js';
import { testConfigYaml } from './helpers.js';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await configCommand.run(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('bulwark config', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-config-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('check: exit 0 and a summary of each route chain when valid', async () => {
    const file = join(dir, 'ok.yaml');
    await writeFile(file, testConfigYaml());
    const { code, out } = await run(['check', file]);
    expect(code).toBe(0);
    expect(out).toContain('valid');
    expect(out).toContain('route gpt-4: gpt4 → gpt35 → cache → default');
  });

  it('check: exit 2 listing every problem with its path when invalid', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, testConfigYaml().replace('chain: [gpt4, gpt35]', 'chain: [gpt4, gpt5]').replace('retry: { maxAttempts: 1 }', 'retry: { maxAttempts: 1, retries: 3 }'));
    const { code, err } = await run(['check', file]);
    expect(code).toBe(2);
    expect(err).toContain("routes[0].chain[1]: unknown model group 'gpt5'");
    expect(err).toContain("policies.retry: unknown field 'retries'");
    expect(err).toContain('(2 problems)');
    expect((await run(['check', join(dir, 'missing.yaml')])).err).toContain('file not found');
  });

  it('hash-key refuses a key on the command line (stdin only: test/security/http-edges.test.ts); bad usage exits 2', async () => {
    const refused = await run(['hash-key', 'secret']);
    expect(refused.code).toBe(2);
    expect(refused.out).not.toContain(hashKey('secret'));
    expect((await run([])).code).toBe(2);
  });
});
