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
  bulwark config hash-key       Read a key from stdin (one line) and print the sha256 digest to
                                put in auth.keys[].sha256 or auth.adminKeySha256 (the config
                                never holds keys themselves). Never on the command line: argv
                                is visible to every user (ps) and kept in shell history.
                                e.g. printf %s "$KEY" | bulwark config hash-key

\${VAR} references are resolved from the environment, as \`bulwark serve\` would.`;

const config: Command = {
  name: 'config',
  summary: 'Check a gateway config (config check FILE) or hash a gateway key read from stdin (config hash-key)',
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
    if (sub === 'hash-key' && arg !== undefined) {
      console.error('bulwark config hash-key: the key is read from stdin, never from the command line (it would be visible in ps and shell history): printf %s "$KEY" | bulwark config hash-key');
      return EXIT_USAGE;
    }
    if (sub === 'hash-key') {
      const key = (await readStdin()).replace(/\r?\n$/, '');
      if (key === '') {
        console.error('bulwark config hash-key: no key on stdin (printf %s "$KEY" | bulwark config hash-key)');
        return EXIT_USAGE;
      }
      console.log(hashKey(key));
      return EXIT_OK;
    }
    console.error(USAGE);
    return EXIT_USAGE;
  },
};
/** Everything on stdin (nothing when it is a terminal nobody types into: the caller gets ''). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export default config;
