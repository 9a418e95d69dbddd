import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';
import { interpolateEnv } from './interpolate.js';
import { describeIssue, hideReferencedValues } from './issue-message.js';
import { literalSecrets } from './literal-secrets.js';
import { checkReferences } from './references.js';
import { serveChecks } from './serve-checks.js';
import { valueKinds } from './value-kinds.js';
import { ConfigError, type ConfigProblem } from './problems.js';

/** Aliases (`*name`) a config may expand; more is a YAML alias bomb ("billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

/** Options for {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Where the text came from, for messages. Default `config`. */
  source?: string;
  /** Environment for `${VAR}` interpolation. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Parses and validates a config (YAML, or JSON which is YAML too): the one validation of both
 * `bulwark config check` and `bulwark serve` (and its reloads). Throws one {@link ConfigError}
 * listing every problem with its path; returns the config with defaults filled in. Stages: YAML
 * (syntax, duplicate keys, alias bombs) → `${VAR}` substitution (numbers coerced where a field
 * takes one) → schema → cross-references → secrets written literally → serve's own validators.
 *
 * @example const config = parseConfig(await readFile('bulwark.yaml', 'utf8'), { source: 'bulwark.yaml' });
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): GatewayConfig {
  const source = options.source ?? 'config';
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(source, doc.errors.map((e) => ({
      path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(syntax)',
      message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''),
    })));
  }
  let written: unknown;
  try {
    written = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new ConfigError(source, [{ path: '(yaml)', message: `must expand aliases (*name) at most ${MAX_ALIAS_COUNT} times, got more: refused as a YAML alias bomb ("billion laughs")` }]);
  }
  const problems: ConfigProblem[] = [];
  const references = new Map<string, { written: string; value: unknown }>();
  const raw = interpolateEnv(written, options.env ?? process.env, problems, { references, kindsAt: (path) => valueKinds(gatewayConfigSchema, path) });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, [{ path: '(root)', message: 'must be a mapping with providers, modelGroups and routes' }]);
  }
  const result = gatewayConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) problems.push(...result.error.issues.map((issue) => describeIssue(issue, references)));
  problems.push(...checkReferences(raw), ...literalSecrets(written));
  if (problems.length === 0 && result.success) problems.push(...serveChecks(result.data as GatewayConfig));
  if (problems.length > 0) throw new ConfigError(source, hideReferencedValues(problems, references));
  return result.data as GatewayConfig;
}

/** Reads and validates a config file; see {@link parseConfig}. A file that cannot be read is a ConfigError too. */
export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [{ path: '(file)', message: code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? 'error'})` }]);
  }
  return parseConfig(text, { source: file, env });
}
