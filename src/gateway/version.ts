import { readFileSync } from 'node:fs';

let version: string | undefined;

/** The package's version (`service.version` on spans), read once from package.json; `0.0.0` when unreadable. */
export function gatewayVersion(): string {
  if (version !== undefined) return version;
  try {
    version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    version = '0.0.0';
  }
  return version;
}
