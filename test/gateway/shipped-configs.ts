import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Every gateway config we ship: templates, the embedded default, examples, and the k8s ConfigMaps. */
export function shippedConfigs(): Array<{ name: string; text: string }> {
  const configs = [
    ...yamlFiles(join(ROOT, 'templates')),
    join(ROOT, 'config', 'default.yaml'),
    // Examples that are gateway configs (the experiments beside them are another format).
    ...yamlFiles(join(ROOT, 'examples')).filter((file) => 'providers' in (parse(readFileSync(file, 'utf8')) ?? {})),
  ].map((file) => ({ name: relative(ROOT, file), text: readFileSync(file, 'utf8') }));
  for (const file of yamlFiles(join(ROOT, 'deploy'))) {
    // deploy/kubernetes ships the gateway config as files its kustomizations turn into the ConfigMap.
    if (file.endsWith('/bulwark.yaml')) {
      configs.push({ name: `${relative(ROOT, file)} (ConfigMap bulwark.yaml)`, text: readFileSync(file, 'utf8') });
      continue;
    }
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const manifest = doc.toJS() as { kind?: string; data?: Record<string, string> } | null;
      if (manifest?.kind === 'ConfigMap' && typeof manifest.data?.['bulwark.yaml'] === 'string') {
        configs.push({ name: `${relative(ROOT, file)} (ConfigMap bulwark.yaml)`, text: manifest.data['bulwark.yaml'] });
      }
    }
  }
  return configs;
}

/**
 * A plausible value for each `${NAME}` without a fallback (config check needs them set): each
 * digest its own (the admin key may not be a gateway key), Redis on `redisUrl`.
 */
export function environmentFor(text: string, redisUrl = 'redis://127.0.0.1:6379'): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [, name] of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    env[name!] = /SHA256/.test(name!) ? createHash('sha256').update(name!).digest('hex') : /REDIS.*URL/.test(name!) ? redisUrl : /URL/.test(name!) ? 'http://127.0.0.1:4010' : 'test-value';
  }
  return env;
}
