import { fileURLToPath } from 'node:url';

/** The embedded default config (`npm start`). */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../../../config/default.yaml', import.meta.url));

/** What `bulwark serve` was asked to do. */
export interface ServeOptions {
  /** Config file; undefined → the embedded default. */
  configPath?: string;
  /** True when the config is the embedded default (for the banner). */
  embeddedDefault: boolean;
  port?: number;
  host?: string;
}

/** A bad command line (exit code 2). */
export class ServeUsageError extends Error {}

/** Reads `--config`, `--port`, `--host` (also `--x=value`), `BULWARK_CONFIG` and `PORT`. */
export function parseServeArgs(args: string[], env: NodeJS.ProcessEnv): ServeOptions {
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (name !== '--config' && name !== '--port' && name !== '--host' && name !== '-c' && name !== '-p') {
      throw new ServeUsageError(`unknown option '${arg}'`);
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new ServeUsageError(`${name} needs a value`);
    values[name === '-c' ? '--config' : name === '-p' ? '--port' : name] = value;
  }
  const configPath = values['--config'] ?? (env.BULWARK_CONFIG || undefined);
  const portText = values['--port'] ?? (env.PORT || undefined);
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ServeUsageError(`port must be an integer 0–65535, got '${portText}'`);
  }
  return { configPath, embeddedDefault: configPath === undefined, port, host: values['--host'] };
}
