import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/gateway/auth.js';
import type { Gateway } from '../../src/gateway/gateway.js';
import { startTestGateway } from '../gateway/helpers.js';
import { ScriptedUpstream, isAnthropic, normalStream } from './scripted-upstream.js';
import { TENANT_A_KEY, post, startGatewayUnderTest } from './gateway-under-test.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One request on `agent`; resolves with status, headers and body, or rejects with the socket error. */
function send(agent: Agent, url: string, body: Buffer | string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Defect 11 of issue 13: the HTTP edges.
describe('security: HTTP edges', () => {
  describe('a keyless gateway (embedded mock)', () => {
    let gateway: Gateway;
    beforeAll(async () => {
      gateway = await startTestGateway(undefined);
    });
    afterAll(() => gateway.shutdown(500));

    it('a 413 closes its connection, so a pooled client\'s next request does not meet a reset', async () => {
      await gateway.reload({ ...gateway.config, server: { ...gateway.config.server, bodyLimit: 16 * 1024 } });
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const url = `${gateway.url}/v1/chat/completions`;
        const huge = Buffer.alloc(4 * 1024 * 1024, ' '); // past the limit and past what is discarded
        const refused = await send(agent, url, huge).catch((error: unknown) => ({ status: -1, headers: {} as Record<string, unknown>, body: String(error) }));
        if (refused.status !== -1) {
          expect(refused.status).toBe(413);
          expect(refused.headers.connection).toBe('close');
        }
        const ok = await send(agent, url, JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'innocent' }] }));
        expect(ok.status).toBe(200);
      } finally {
        agent.destroy();
      }
    });

    it.each(['/metrics', '/health'])('%s answers only a local Host without gateway keys (DNS rebinding)', async (path) => {
      const local = await fetch(`${gateway.url}${path}`);
      expect(local.status).toBe(200);
      const rebound = await new Promise<number>((resolve, reject) => {
        const req = request(`${gateway.url}${path}`, { headers: { host: 'attacker.example:4000' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(rebound).toBe(403);
    });
  });

  describe('shutdown with streams still open', () => {
    let upstream: ScriptedUpstream;
    beforeAll(async () => {
      upstream = await ScriptedUpstream.start();
      // The first token, then nothing: the stream is still open when the grace runs out.
      upstream.reply = (seen, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const event of normalStream(seen).slice(0, isAnthropic(seen) ? 3 : 2)) res.write(event);
      };
    });
    afterAll(() => upstream.close());

    it.each([
      ['openai', '/v1/chat/completions', /data: \{"error":\{[^\n]*shutting down/],
      ['anthropic', '/v1/messages', /event: error\ndata: \{"type":"error","error":\{[^\n]*shutting down/],
    ] as const)('a %s stream gets the dialect\'s error event before its socket closes', async (_dialect, path, expected) => {
      const { gateway } = await startGatewayUnderTest(upstream.url, '', 2, 'idleTimeoutMs: 60s');
      const res = await post(gateway, path, TENANT_A_KEY, { model: 'gpt-4', stream: true, max_tokens: 16, messages: [{ role: 'user', content: 'stay open' }] });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const first = await reader.read(); // the first token has arrived: the stream is open
      expect(first.done).toBe(false);
      const stopping = gateway.shutdown(100);
      let text = new TextDecoder().decode(first.value);
      for (;;) {
        const chunk = await reader.read(); // rejects on a TCP reset
        if (chunk.done) break;
        text += new TextDecoder().decode(chunk.value);
      }
      await stopping;
      expect(text).toMatch(expected);
    });
  });

  describe('bulwark config hash-key', () => {
    const cli = (args: string[], input?: string) => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'config', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('close', (code) => resolve({ code, out, err }));
      child.stdin.end(input ?? '');
    });

    it('reads the key from stdin, and refuses it on the command line (visible in ps and shell history)', async () => {
      const fromStdin = await cli(['hash-key'], 'my-gateway-key\n');
      expect(fromStdin.code).toBe(0);
      expect(fromStdin.out.trim()).toBe(hashKey('my-gateway-key'));
      const fromArgv = await cli(['hash-key', 'my-gateway-key']);
      expect(fromArgv.code).toBe(2);
      expect(fromArgv.out).toBe('');
      expect(fromArgv.err).toMatch(/stdin/);
    }, 30_000);
  });
});
