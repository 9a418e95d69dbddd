import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Checks, before a run, that the directory a report goes to exists, so a long load test or
 * experiment does not end in a write error (missing directory, or the path is a directory).
 * Throws an Error naming the option and the path.
 *
 * @example await checkOutputDirectory('reports/summary.json', '--out');
 */
export async function checkOutputDirectory(file: string, option: string): Promise<void> {
  const directory = dirname(resolve(file));
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`${option}: the directory ${directory} does not exist`);
  if ((await stat(file).catch(() => undefined))?.isDirectory()) throw new Error(`${option}: ${file} is a directory; give a file name`);
}
