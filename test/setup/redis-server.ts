import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';

/** How long a Redis we start may take to answer PING before the setup gives up. */
export const REDIS_START_TIMEOUT_MS = 10_000;

/** True when a Redis server at `host:port` answers PING with +PONG within `timeoutMs`. */
export function redisAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** A Redis the test setup started; `stop()` ends exactly that process and nothing else. */
export interface StartedRedis {
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Makes sure a Redis answers on `host:port`: when one already does (a developer's, CI's), it is
 * left alone and `undefined` is returned; otherwise a `redis-server` without persistence is
 * started as a child of this process and returned, so the caller stops only what it started.
 */
export async function ensureRedis(host: string, port: number, binary = 'redis-server'): Promise<StartedRedis | undefined> {
  if (await redisAnswers(host, port)) return undefined;
  const child = spawn(binary, ['--bind', host, '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => resolve(`exited (${signal ?? code})`));
  });
  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  for (;;) {
    const outcome = await Promise.race([exited, redisAnswers(host, port, 250).then((ok) => (ok ? 'up' : undefined))]);
    if (outcome === 'up') return started(child);
    if (outcome !== undefined) throw new Error(`could not start ${binary} on ${host}:${port}: ${outcome}${stderr ? `\n${stderr}` : ''}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${binary} on ${host}:${port} did not answer PING within ${REDIS_START_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function started(child: ChildProcess): StartedRedis {
  return {
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
