import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Gateway } from '../../src/gateway/gateway.js';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from '../../src/state/test-support.js';
import { startTestGateway, testConfigYaml } from '../gateway/helpers.js';
import { OVERLAYS, render } from './kustomize.js';

// Every metric name a manifest uses (the HPA, the monitoring component's rules and dashboards)
// must be one the gateway serves on /metrics: a misspelt name scales or alerts on nothing, silently.
const DEPLOY_DIR = join(import.meta.dirname, '../../deploy');
const METRIC = /\bbulwark_[a-z0-9_]*[a-z0-9]\b/g;
const SUFFIXES = ['_bucket', '_sum', '_count'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.(ya?ml|json)$/.test(name) ? [path] : [];
  });
}

/** Names a manifest defines itself (Prometheus recording rules), which are not the gateway's to export. */
function recordedNames(text: string): Set<string> {
  return new Set([...text.matchAll(/^\s*-?\s*record:\s*["']?([A-Za-z_:][\w:]*)/gm)].map((m) => m[1]));
}

/** Where each metric-like name appears: rendered overlays, and every YAML/JSON file under deploy/. */
function namesInManifests(): Map<string, string> {
  const where = new Map<string, string>();
  const texts: Array<[string, string]> = OVERLAYS.map((o) => [`overlay ${o}`, JSON.stringify(render(o))]);
  for (const file of filesUnder(DEPLOY_DIR)) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.yaml') || file.endsWith('.yml')) for (const d of parseAllDocuments(text)) expect(d.errors, file).toEqual([]);
    texts.push([file.slice(DEPLOY_DIR.length + 1), text]);
  }
  const recorded = new Set(texts.flatMap(([, t]) => [...recordedNames(t)]));
  for (const [source, text] of texts) {
    for (const [name] of text.matchAll(METRIC)) if (!recorded.has(name) && !where.has(name)) where.set(name, source);
  }
  return where;
}

describe('metric names in the manifests', () => {
  let gateway: Gateway | undefined;
  const prefix = uniquePrefix('metric-names');
  let exported = new Set<string>();

  beforeAll(async () => {
    // Redis state and load shedding on, so that metrics registered only with them are listed too.
    gateway = await startTestGateway(testConfigYaml(`state: { redis: { url: "${TEST_REDIS_URL}", keyPrefix: "${prefix}", commandTimeoutMs: 2s } }
loadShedding: { enabled: true }
`));
    await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'hello' }] }),
    }).then((r) => r.arrayBuffer());
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
  });
  afterAll(async () => {
    await gateway?.shutdown(1_000);
    await deleteKeys(prefix);
  });

  it('the gateway exports the in-flight gauge the HPA scales on (and not the name the HPA used to carry)', () => {
    expect(exported).toContain('bulwark_requests_in_flight');
    expect(exported).not.toContain('bulwark_inflight_requests');
  });

  it('every bulwark_* name in deploy/ is served on /metrics (histogram series by their base name)', () => {
    const names = namesInManifests();
    expect(names.get('bulwark_requests_in_flight')).toBe('overlay ha'); // the HPA's pods metric
    const missing = [...names].filter(([name]) => !exported.has(name) && !SUFFIXES.some((s) => name.endsWith(s) && exported.has(name.slice(0, -s.length))));
    expect(missing.map(([name, source]) => `${name} (in ${source})`)).toEqual([]);
  });

  it('the check can fail: a misspelt name is reported', () => {
    expect(exported.has('bulwark_inflight_requests')).toBe(false);
    expect([...'x bulwark_inflight_requests y'.matchAll(METRIC)].map((m) => m[0])).toEqual(['bulwark_inflight_requests']);
  });
});
