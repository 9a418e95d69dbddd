import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import loadCommand from '../../src/cli/commands/load.js';

// With a provider key exported, `npm start` (serve with the embedded default) routes to the real,
// paid API: it must say so loudly, and the tour's next step (`bulwark load` on the local gateway)
// must not send hundreds of billed requests unless asked.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FAKE_KEY = 'sk-test-not-a-real-key-5f1c';

/** `bulwark serve` (embedded default) with `keys`; resolves once `ready(out, err)`, then stops it. */
async function serveUntil(keys: Record<string, string>, ready: (out: string, err: string) => boolean): Promise<{ out: string; err: string; code: number | null }> {
  const child = spawn(process.execPath, ['bin/bulwark.js', 'serve', '--port', '0'], {
    cwd: ROOT, env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', BULWARK_CONFIG: '', ...keys }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await vi.waitFor(() => expect(ready(out, err)).toBe(true), { timeout: 30_000, interval: 50 });
  child.kill('SIGTERM');
  return { out, err, code: await exited };
}

describe('real, paid providers are never used silently', () => {
  it('bulwark serve with the embedded default and OPENAI_API_KEY set names the paid providers loudly, and never the key', async () => {
    // No request is sent: the process stops at its banner (the first probe round is 30 s away).
    const { out, err, code } = await serveUntil({ OPENAI_API_KEY: FAKE_KEY }, (_out, e) => e.includes('npm start'));
    expect(code).toBe(0);
    expect(err).toContain('REAL, PAID PROVIDERS: openai-primary (api.openai.com), openai-secondary (api.openai.com)');
    expect(err).toContain('because OPENAI_API_KEY is set');
    expect(out).toContain('providers served by the built-in mock: anthropic-primary, anthropic-secondary');
    expect(out + err).not.toContain(FAKE_KEY);
  });

  it('without a key, the banner says mock and there is no warning', async () => {
    const { err, code } = await serveUntil({}, (out) => out.includes('Watch the x-bulwark-served-by header'));
    expect(code).toBe(0);
    expect(err).not.toContain('PAID');
  });

  it('bulwark load on the default local gateway refuses while a provider key is set, unless --allow-paid', async () => {
    const errors: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    vi.stubEnv('ANTHROPIC_API_KEY', FAKE_KEY);
    vi.stubEnv('BULWARK_ALLOW_PAID', '');
    try {
      expect(await loadCommand.run(['--rate', '50', '--duration', '20s', '--quiet'])).toBe(2);
    } finally {
      error.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(errors.join('\n')).toContain('ANTHROPIC_API_KEY is set, so a gateway started from this shell (npm start) sends to the real, paid provider: this run would send about 1000 requests, all billed');
    expect(errors.join('\n')).toContain('--allow-paid');
    expect(errors.join('\n')).not.toContain(FAKE_KEY);
  });
});
