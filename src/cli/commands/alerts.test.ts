import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import alerts from './alerts.js';

const CONFIG = `
providers:
  p: { type: openai, baseUrl: http://127.0.0.1:9/v1, apiKey: "\${TEST_KEY:-}" }
modelGroups:
  gpt4: { deployments: [ { id: d1, provider: p, model: gpt-4o } ] }
  mini: { deployments: [ { id: d2, provider: p, model: gpt-4o-mini } ] }
routes:
  - { name: gpt-4, chain: [gpt4, mini] }
alerts:
  errorRateThreshold: 0.02
  latencyP95ThresholdMs: 3s
slo:
  availabilityPercent: 99.9
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bulwark-alerts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bulwark alerts export', () => {
  it('writes rules YAML from the config file (via the gateway loader)', async () => {
    const configFile = join(dir, 'bulwark.yaml');
    const out = join(dir, 'rules.yaml');
    await writeFile(configFile, CONFIG);
    expect(await alerts.run(['export', '--format', 'prometheus', '--config', configFile, '--out', out])).toBe(0);
    const file = parse(await readFile(out, 'utf8'));
    const rules = file.groups.flatMap((g: { rules: Array<{ alert: string; expr: string }> }) => g.rules);
    const expr = (alert: string) => rules.find((r: { alert: string }) => r.alert === alert)?.expr as string;
    expect(expr('BulwarkRouteErrorRateHigh')).toContain('> 0.02 and');
    expect(expr('BulwarkLatencyP95High')).toContain('> 3 and');
    expect(expr('BulwarkPrimaryUnavailable')).toContain('bulwark_group_usable_deployments');
    expect(expr('BulwarkBreakerOpened')).toContain('bulwark_breaker_state');
    expect(rules.filter((r: { alert: string }) => r.alert === 'BulwarkSloAvailabilityBurnRate').map((r: { expr: string }) => r.expr)[0]).toContain('> 0.0144');
  });

  it('exits 2 on usage and config errors', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'routes: []\n');
    const quiet = console.error;
    console.error = () => {};
    try {
      expect(await alerts.run(['export'])).toBe(2);
      expect(await alerts.run(['export', '--format', 'json'])).toBe(2);
      expect(await alerts.run(['import', '--format', 'prometheus'])).toBe(2);
      expect(await alerts.run(['export', '--format', 'prometheus', '--config', bad])).toBe(2);
      expect(await alerts.run(['export', '--format', 'prometheus', '--config', join(dir, 'missing.yaml')])).toBe(2);
    } finally {
      console.error = quiet;
    }
  });

  it('--out in a missing directory is exit 2 with a message naming it (was a stack trace); an unknown sub-command is named', async () => {
    const errors: string[] = [];
    const quiet = console.error;
    console.error = (message: string) => void errors.push(message);
    try {
      expect(await alerts.run(['export', '--format', 'prometheus', '--out', join(dir, 'missing', 'rules.yaml')])).toBe(2);
      expect(errors.pop()).toMatch(/^bulwark alerts export: --out: the directory .*missing does not exist$/);
      expect(await alerts.run(['import'])).toBe(2);
      expect(errors.pop()).toMatch(/^bulwark alerts: unknown sub-command 'import'/);
    } finally {
      console.error = quiet;
    }
  });
});
