import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./flood-client.mjs', import.meta.url));

/** What the flooding tenant got: answers by status (or error name), and its first 429. */
export interface FloodResult {
  byStatus: Record<string, number>;
  firstRefusal?: { retryAfter: string | null; body: string };
}

/**
 * A flooding tenant in a child process (test/gateway/flood-client.mjs): `count` closed-loop
 * clients that the test turns on and off. Each command resolves on the child's answer, so the
 * test knows the flood is at its limit (or gone) instead of sleeping and hoping.
 */
export class FloodProcess {
  private readonly waiting = new Map<string, (line: string) => void>();

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const word = line.split(' ', 1)[0];
      const resolve = this.waiting.get(word);
      this.waiting.delete(word);
      resolve?.(line);
    });
  }

  static async start(url: string, key: string, count: number): Promise<FloodProcess> {
    const child = spawn(process.execPath, [SCRIPT, url, key, String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    return new FloodProcess(child);
  }

  /** Starts the flood; resolves once one of its requests was refused (the limit is full). */
  async on(): Promise<void> {
    await this.command('on', 'flooding');
  }

  /** Stops the flood; resolves once none of its requests is in flight. */
  async off(): Promise<void> {
    await this.command('off', 'idle');
  }

  /** Ends the child and returns what the flood got. */
  async end(): Promise<FloodResult> {
    const line = await this.command('end', 'result');
    return JSON.parse(line.slice('result '.length)) as FloodResult;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  private command(command: string, answer: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.waiting.set(answer, resolve);
      this.child.once('exit', (code) => reject(new Error(`the flood process exited (${code}) before answering ${command}`)));
      this.child.stdin!.write(`${command}\n`);
    });
  }
}
