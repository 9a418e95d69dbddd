import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT_OK, EXIT_USAGE } from '../command.js';
import drill from './drill.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bulwark-drill-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
  const error = vi.spyOn(console, 'error').mockImplementation((m: string) => void err.push(m));
  return { out, err, restore: () => { log.mockRestore(); error.mockRestore(); } };
}

describe('bulwark drill', () => {
  it('rejects bad options and unknown scenarios with exit code 2, naming the problem', async () => {
    const c = capture();
    try {
      expect(await drill.run(['--virtual', 'earthquake'])).toBe(EXIT_USAGE);
      expect(c.err.pop()).toMatch(/unknown scenario 'earthquake' \(scenarios: primary-outage,/);
      expect(await drill.run(['--virtual', '--duration', '5s'])).toBe(EXIT_USAGE);
      expect(c.err.pop()).toMatch(/drill duration: expected >= 20000 ms, got 5000/);
      expect(await drill.run(['--virtual', '--seed', '1.5'])).toBe(EXIT_USAGE);
      expect(c.err.pop()).toMatch(/--seed must be a non-negative integer, got '1.5'/);
      expect(await drill.run(['--virtual', '--slo', '120'])).toBe(EXIT_USAGE);
      expect(c.err.pop()).toMatch(/--slo must be a percentage between 0 and 100, got '120'/);
      expect(await drill.run(['--nope'])).toBe(EXIT_USAGE);
      expect(await drill.run(['--virtual', 'region-loss', '--out', dir])).toBe(EXIT_USAGE);
      expect(c.err.pop()).toMatch(/--out: .* is a directory; give a file name/);
    } finally {
      c.restore();
    }
  });

  it('lists the scenarios', async () => {
    const c = capture();
    try {
      expect(await drill.run(['--list'])).toBe(EXIT_OK);
    } finally {
      c.restore();
    }
    expect(c.out.map((line) => line.split(/\s+/)[0])).toEqual([
      'primary-outage', 'primary-hang', 'rate-limit-storm', 'latency-degradation', 'stream-cuts', 'region-loss', 'all-models-down', 'vendor-outage', 'two-vendor-outage', 'gateway-restart', 'replica-kill',
    ]);
  });

  it('runs a scenario on virtual time and writes the JSON and HTML reports', async () => {
    const out = join(dir, 'r.json');
    const html = join(dir, 'r.html');
    const c = capture();
    let code;
    try {
      code = await drill.run(['--virtual', '--seed', '3', '--duration', '30s', 'region-loss', '--out', out, '--html', html]);
    } finally {
      c.restore();
    }
    expect(code).toBe(EXIT_OK);
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report).toMatchObject({ mode: 'virtual', seed: 3, durationMs: 30_000, rate: 10, slo: 0.995, passed: true });
    expect(report.scenarios).toHaveLength(1);
    expect(report.scenarios[0]).toMatchObject({ scenario: 'region-loss', seed: 3, figures: { sent: 300, lost: 0 } });
    const page = await readFile(html, 'utf8');
    expect(page).toContain('Loss of the preferred region');
    expect(page.match(/<svg /g)).toHaveLength(2);
    expect(c.out.join('\n')).toMatch(/region-loss\s+300\s+300\/0\/0\/0 .* PASS/);
  });
});

describe('bulwark drill, Ctrl-C', () => {
  it('SIGINT stops after the scenario in progress, writes the reports of the finished ones and exits 1', async () => {
    const out = join(dir, 'interrupted.json');
    const child = spawn(process.execPath, ['bin/bulwark.js', 'drill', '--virtual', '--out', out, '--html', join(dir, 'interrupted.html')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stderr.resume();
    try {
      const exited = once(child, 'exit');
      await new Promise<void>((resolve) => child.stdout.on('data', (chunk) => {
        stdout += String(chunk);
        if (/ (PASS|FAIL) /.test(stdout)) resolve();
      }));
      child.kill('SIGINT');
      const [code] = await exited;
      expect(code).toBe(1);
      expect(stdout).toMatch(/INTERRUPTED after \d of 11 scenario\(s\)/);
      const report = JSON.parse(await readFile(out, 'utf8')) as { passed: boolean; scenarios: unknown[] };
      expect(report.passed).toBe(false);
      expect(report.scenarios.length).toBeLessThan(8);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
