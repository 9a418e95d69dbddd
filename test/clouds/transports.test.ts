/**
 * The cloud transports over real sockets, against a capturing upstream that checks what the
 * real services check: Vertex AI gets a Google-signed bearer (a service account's self-signed,
 * scoped JWT, verified here with the account's public key) on the project/region/publisher path,
 * Anthropic models on Vertex get `anthropic_version` in the body and the model only in the path;
 * Bedrock gets a SigV4 signature that AWS's own signer reproduces from the same credentials.
 */
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalCall } from '../../src/llm/dialects/canonical/upstream-body.js';
import { BedrockProvider } from '../../src/llm/providers/bedrock.js';
import { VertexProvider } from '../../src/llm/providers/vertex.js';
import type { UpstreamCall } from '../../src/llm/exchange.js';

interface Captured { method: string; path: string; headers: IncomingMessage['headers']; body: string }

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** An upstream that records each request and answers `answer` (status 200, JSON). */
async function capture(answer: string): Promise<{ url: string; seen: Captured[] }> {
  const seen: Captured[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'req-123' });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const serviceAccount = JSON.stringify({
  type: 'service_account', project_id: 'demo', private_key_id: 'kid-1',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
  client_email: 'bulwark@demo.iam.gserviceaccount.com', client_id: '1',
});

function verifyJwt(bearer: string | undefined): Record<string, unknown> {
  const token = (bearer ?? '').replace(/^Bearer /, '');
  const [header, payload, signature] = token.split('.');
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${header}.${payload}`);
  expect(verifier.verify(publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const ask = { model: 'x', messages: [{ role: 'user' as const, content: 'hello' }], maxTokens: 20 };

describe('Vertex AI transport', () => {
  it('Gemini models: project/region/publisher path, a bearer the service account signed for the cloud-platform scope', async () => {
    const upstream = await capture('{"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}]}');
    const provider = new VertexProvider({
      type: 'vertex', baseUrl: upstream.url, project: 'demo', region: 'europe-west4', googleCredentials: { serviceAccountJson: serviceAccount },
    });
    try {
      const reply = await provider.send(canonicalCall({ ...ask, model: 'gemini-2.5-pro' }, 'gemini', false));
      expect(reply.status).toBe(200);
      const [request] = upstream.seen;
      expect(request.path).toBe('/v1/projects/demo/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent');
      const claims = verifyJwt(request.headers.authorization);
      expect(claims.iss).toBe('bulwark@demo.iam.gserviceaccount.com');
      expect(String(claims.scope)).toContain('https://www.googleapis.com/auth/cloud-platform');
      expect(JSON.parse(request.body).contents).toEqual([{ role: 'user', parts: [{ text: 'hello' }] }]);
    } finally {
      await provider.close();
    }
  });

  it('Anthropic models: rawPredict with anthropic_version in the body, the model only in the path, every other field as sent', async () => {
    const upstream = await capture('{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}');
    const provider = new VertexProvider({
      type: 'vertex', baseUrl: upstream.url, project: 'demo', region: 'us-east5', publisher: 'anthropic', googleCredentials: { serviceAccountJson: serviceAccount },
    });
    const clientBody = { model: 'claude-sonnet-4@20250514', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }], thinking: { type: 'enabled', budget_tokens: 1024 }, future_field: [1, 2] };
    const call: UpstreamCall = { endpoint: 'messages', model: 'claude-sonnet-4@20250514', stream: false, body: [Buffer.from(JSON.stringify(clientBody))] };
    try {
      await provider.send(call);
      const [request] = upstream.seen;
      expect(request.path).toBe('/v1/projects/demo/locations/us-east5/publishers/anthropic/models/claude-sonnet-4%4020250514:rawPredict');
      const { model: _model, ...rest } = clientBody;
      expect(JSON.parse(request.body)).toEqual({ ...rest, anthropic_version: 'vertex-2023-10-16' });
      verifyJwt(request.headers.authorization);
    } finally {
      await provider.close();
    }
  });

  it('bad credentials are an auth error that names no key', async () => {
    const provider = new VertexProvider({ type: 'vertex', baseUrl: 'http://127.0.0.1:9', project: 'p', region: 'global', googleCredentials: { serviceAccountJson: '{not json' } });
    const error = await provider.send(canonicalCall({ ...ask, model: 'gemini-2.5-pro' }, 'gemini', false)).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth' });
    await provider.close();
  });
});

describe('Bedrock transport', () => {
  it('signs each Converse call with SigV4 that AWS\'s signer reproduces from the same credentials', async () => {
    const upstream = await capture('{"output":{"message":{"role":"assistant","content":[{"text":"hi"}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}');
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-1' };
    const provider = new BedrockProvider({ type: 'bedrock', baseUrl: upstream.url, region: 'us-west-2', awsCredentials: credentials });
    try {
      const reply = await provider.send(canonicalCall({ ...ask, model: 'anthropic.claude-3-5-sonnet-20240620-v1:0' }, 'bedrock', false));
      expect(reply.headers['x-amzn-requestid']).toBe('req-123');
      const [request] = upstream.seen;
      expect(request.path).toBe('/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse');
      expect(request.headers['x-amz-security-token']).toBe('session-token-1');
      const authorization = String(request.headers.authorization);
      expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/);

      // Re-sign what arrived (the path as on the wire, which the signer escapes once more, as
      // AWS does for every service but S3), at its time, with the signed headers: the same signature.
      const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)![1].split(';');
      const headers: Record<string, string> = {};
      for (const name of signedNames) headers[name] = String(request.headers[name]);
      const date = String(request.headers['x-amz-date']);
      const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
      const signer = new SignatureV4({ credentials, region: 'us-west-2', service: 'bedrock', sha256: Hash.bind(null, 'sha256'), uriEscapePath: true });
      const { hostname, port } = new URL(upstream.url);
      const again = await signer.sign({
        method: 'POST', protocol: 'http:', hostname, port: Number(port), path: request.path,
        query: {}, headers, body: request.body,
      }, { signingDate });
      expect(again.headers.authorization).toBe(authorization);
    } finally {
      await provider.close();
    }
  });
});
