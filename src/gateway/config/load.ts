import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';
import { interpolateEnv } from './interpolate.js';
import { checkReferences } from './references.js';
import { ConfigError, formatPath, type ConfigProblem } from './problems.js';

/** Options for {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Where the text came from, for messages. Default `config`. */
  source?: string;
  /** Environment for `${VAR}` interpolation. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Parses and validates a config (YAML, or JSON which is YAML too). Throws one {@link ConfigError}
 * listing every problem with its path; returns the config with defaults filled in.
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
  const problems: ConfigProblem[] = [];
  const raw = interpolateEnv(doc.toJS(), options.env ?? process.env, problems);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, [{ path: '(root)', message: 'expected a mapping with providers, modelGroups and routes' }]);
  }
  const result = gatewayConfigSchema.safeParse(raw);
  if (!result.success) problems.push(...result.error.issues.map(describeIssue));
  problems.push(...checkReferences(raw));
  if (problems.length > 0) throw new ConfigError(source, problems);
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

function describeIssue(issue: z.core.$ZodIssue): ConfigProblem {
  let message = issue.message;
  if (issue.code === 'invalid_type' && /received undefined$/.test(message)) message = `is required (expected ${issue.expected})`;
  else if (issue.code === 'unrecognized_keys') {
    return { path: formatPath(issue.path), message: `unknown ${issue.keys.length === 1 ? 'field' : 'fields'} ${issue.keys.map((k) => `'${k}'`).join(', ')}` };
  } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Durations and sizes are unions (number | text): report the text form's message.
    const last = issue.errors[issue.errors.length - 1];
    if (last[0]) message = last[0].message;
  }
  return { path: formatPath(issue.path), message };
}
