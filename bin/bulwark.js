#!/usr/bin/env node
// The `bulwark` command: runs the compiled CLI in dist/ with plain Node (no TypeScript loader).
// In a source checkout, `npm run build` (or `npm start`, `npm test`, `npm install`) creates dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('bulwark: dist/ is missing (a source checkout that was not built): run `npm run build` first.');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
