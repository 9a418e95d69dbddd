import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// ARCHITECTURE.md: imports go one way, downward; a folder never imports from a layer above it.
// chaos/ uses core and llm (types and adapters); the gateway imports it only to embed the mock.
const SRC = resolve(import.meta.dirname, '../../src');
const ALLOWED: Record<string, string[]> = {
  core: ['core'],
  state: ['state', 'core'],
  llm: ['llm', 'state', 'core'],
  ops: ['ops', 'llm', 'state', 'core'],
  chaos: ['chaos', 'llm', 'core'],
  gateway: ['gateway', 'ops', 'llm', 'state', 'core', 'chaos'],
  cli: ['cli', 'gateway', 'ops', 'llm', 'state', 'core', 'chaos'],
};
// optionalDependencies: loaded with import() only when tracing is on, so nothing needs them installed.
const OPTIONAL_SDK = ['@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/resources', '@opentelemetry/core', '@opentelemetry/context-async-hooks',
  '@opentelemetry/sdk-metrics', '@opentelemetry/exporter-metrics-otlp-http'];
// Runtime dependencies per layer (devDependencies only in tests). The core has none.
const PACKAGES: Record<string, string[]> = {
  core: [],
  state: ['ioredis'],
  // Cloud SDK packages are imported lazily, only when a Bedrock or Vertex provider makes a call.
  llm: ['undici', '@smithy/core', '@smithy/signature-v4', '@smithy/hash-node', '@aws-sdk/credential-providers', 'google-auth-library', '@opentelemetry/api'],
  ops: ['prom-client', 'hdr-histogram-js', 'pino', 'undici', 'yaml', '@opentelemetry/api', ...OPTIONAL_SDK],
  chaos: ['undici', 'zod', 'yaml', 'hdr-histogram-js'],
  gateway: ['undici', 'zod', 'yaml', 'pino', 'uplot', '@opentelemetry/api'],
  cli: ['yaml', 'undici', 'zod'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') && !/\.(test|bench|contract|fixture)\.ts$/.test(path) && !/test-(support|helpers|events)\.ts$/.test(path) ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

const violations = (layer: string) => {
  const found: string[] = [];
  for (const file of files(join(SRC, layer))) {
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = match[1] ?? match[2];
      const where = relative(SRC, file);
      if (spec.startsWith('.')) {
        const target = relative(SRC, resolve(join(file, '..'), spec)).split('/')[0];
        if (!ALLOWED[layer].includes(target)) found.push(`${where} imports ${spec} (layer ${target})`);
      } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!PACKAGES[layer].includes(name)) found.push(`${where} imports package ${name}`);
      }
    }
  }
  return found;
};

describe('layers (ARCHITECTURE.md)', () => {
  it.each(Object.keys(ALLOWED))('%s imports only from the layers below it', (layer) => {
    expect(violations(layer)).toEqual([]);
  });
});

describe('the optional OpenTelemetry SDK', () => {
  it('is never imported statically (the gateway and the library run without it installed)', () => {
    const STATIC = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](@opentelemetry\/[^'"]+)['"]/g;
    const found: string[] = [];
    for (const file of files(SRC)) {
      for (const match of readFileSync(file, 'utf8').matchAll(STATIC)) {
        if (match[1] !== '@opentelemetry/api' && !/^import type /.test(match[0].trim())) found.push(`${relative(SRC, file)} imports ${match[1]}`);
      }
    }
    expect(found).toEqual([]);
    const pkg = JSON.parse(readFileSync(resolve(SRC, '../package.json'), 'utf8')) as { dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const name of OPTIONAL_SDK) {
      expect(pkg.optionalDependencies?.[name], name).toBeDefined();
      expect(pkg.dependencies[name], name).toBeUndefined();
    }
  });
});
