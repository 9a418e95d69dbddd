import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on an ephemeral loopback port; resolves with the port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A real OTLP/HTTP receiver: keeps every request's path and body, answers 200 `{}`; `onPayload` after each. */
export function otlpReceiver(onPayload: (path: string) => void = () => {}): { server: Server; payloads: Array<{ path: string; body: string }> } {
  const payloads: Array<{ path: string; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      payloads.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      onPayload(req.url ?? '');
    });
  });
  return { server, payloads };
}

/**
 * A gateway config whose route `gpt-4` falls back from `primary-big` (upstream `/primary/v1`,
 * which the test's upstream fails) to `secondary-small` (`/secondary/v1`), both OpenAI APIs
 * holding the key of the environment variable UPSTREAM_KEY (a config takes secrets from the
 * environment only); `observability` is the tracing or metricsExport line.
 */
export function fallbackGatewayYaml(upstreamPort: number, observability: string): string {
  return `
server: { port: 0 }
logging: { level: warn }
${observability}
providers:
  primary: { type: openai, baseUrl: "http://127.0.0.1:${upstreamPort}/primary/v1", apiKey: "\${UPSTREAM_KEY}" }
  secondary: { type: openai, baseUrl: "http://127.0.0.1:${upstreamPort}/secondary/v1", apiKey: "\${UPSTREAM_KEY}" }
modelGroups:
  big: { deployments: [ { id: primary-big, provider: primary, model: big-model } ] }
  small: { deployments: [ { id: secondary-small, provider: secondary, model: small-model } ] }
routes:
  - { name: gpt-4, chain: [big, small] }
policies:
  retry: { maxAttempts: 1 }
  breaker: { failureThreshold: 1000 }
`;
}
