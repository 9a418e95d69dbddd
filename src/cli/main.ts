import { COMMANDS } from './commands.js';
import { EXIT_OK, EXIT_USAGE } from './command.js';

const HELP = () => `bulwark — a resilience layer for LLM-backed software

Usage: bulwark <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(16)}${c.summary}`)
  .join('\n')}

Run 'bulwark <command> --help' for a command's options.
Exit codes: 0 ok, 1 failed check or threshold, 2 usage or config error.`;

/** Runs the CLI with `args` (without node and script) and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP());
    return name ? EXIT_OK : EXIT_USAGE;
  }
  if (name === '--version' || name === '-v') {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(pkg.version);
    return EXIT_OK;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`bulwark: unknown command '${name}'\n`);
    console.error(HELP());
    return EXIT_USAGE;
  }
  const command = (await entry.load()).default;
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return EXIT_OK;
  }
  // Policy timers are unref'd (they never keep a process alive on their own), so a command that
  // is only waiting on them — a load run between arrivals, a drill's timeline — holds the event
  // loop open itself until it is done.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    return await command.run(rest);
  } finally {
    clearInterval(keepAlive);
  }
}

// `node --import tsx src/cli/main.ts ...` (npm start) runs it directly; bin/bulwark.js imports it.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await main(process.argv.slice(2));
}
