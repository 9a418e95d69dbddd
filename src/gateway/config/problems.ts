import { BulwarkError } from '../../core/errors.js';

/** One thing wrong with a config, at a path such as `routes[0].chain[1]`. */
export interface ConfigProblem {
  path: string;
  message: string;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** Formats a path as written in docs: `modelGroups.gpt4.deployments[0].provider`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '(root)' : out;
}

/** Where to look when a config is wrong. */
export const CONFIG_HINT =
  'hint: compare with the templates in templates/resilience/; editors can validate against config/bulwark.schema.json ' +
  '(add "# yaml-language-server: $schema=…/config/bulwark.schema.json" at the top). Check without starting: bulwark config check FILE';

/** The config could not be loaded; `problems` lists every problem found, each with its path. */
export class ConfigError extends BulwarkError {
  constructor(readonly source: string, readonly problems: ConfigProblem[]) {
    super('BULWARK_ERR_INVALID_CONFIG', 500, formatProblems(source, problems));
  }
}

/** The multi-line report printed by `bulwark serve` and `bulwark config check` (exit code 2). */
export function formatProblems(source: string, problems: ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `invalid config ${source} (${count}):\n${lines.join('\n')}\n${CONFIG_HINT}`;
}
