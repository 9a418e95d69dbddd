import type { Command } from '../command.js';
import { EXIT_OK, EXIT_USAGE } from '../command.js';
import { hashKey } from '../../gateway/auth.js';
import { loadConfigFile } from '../../gateway/config/load.js';
import { ConfigError } from '../../gateway/config/problems.js';
import { summarizeConfig } from '../../gateway/config/summary.js';

const USAGE = `Usage:
  bulwark config check FILE     Validate a gateway config without starting anything.
                                Exit 0 and a summary when valid; exit 2 listing every problem
                                (with its path, e.g. routes[0].chain[1]) when not.
  bulwark config hash-key KEY   Print the sha256 digest to put in auth.keys[].sha256 or
                                auth.adminKeySha256 (the config never holds keys themselves).

\${VAR} references are resolved from the environment, as \`bulwark serve\` would.`;

const config: Command = {
  name: 'config',
  summary: 'Check a gateway config (config check FILE) or hash a gateway key (config hash-key KEY)',
  usage: USAGE,
  async run(args) {
    const [sub, arg, ...rest] = args;
    if (sub === 'check' && arg && rest.length === 0) {
      try {
        const loaded = await loadConfigFile(arg);
        console.log(`${arg}: valid\n${summarizeConfig(loaded)}`);
        return EXIT_OK;
      } catch (error) {
        if (error instanceof ConfigError) {
          console.error(error.message);
          return EXIT_USAGE;
        }
        throw error;
      }
    }
    if (sub === 'hash-key' && arg && rest.length === 0) {
      console.log(hashKey(arg));
      return EXIT_OK;
    }
    console.error(USAGE);
    return EXIT_USAGE;
  },
};
export default config;
