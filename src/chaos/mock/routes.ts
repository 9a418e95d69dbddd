/**
 * Which wire answers which POST path of the mock: the endpoints with a JSON body (OpenAI Chat,
 * Responses, Embeddings, Completions; Anthropic Messages and count_tokens) and those that name
 * the model and streaming in the path (Gemini on AI Studio and on Vertex AI, Bedrock Converse).
 * Shared by the HTTP mock's engine and the socket-free mock, so both answer the same paths alike.
 */
import { anthropicWire } from './anthropic-wire.js';
import { bedrockWire } from './bedrock-wire.js';
import type { MockContext, MockDialect } from './dialect.js';
import { geminiWire } from './gemini-wire.js';
import { anthropicCountTokensWire } from './lookup-wires.js';
import { openaiCompletionsWire } from './openai-completions-wire.js';
import { openaiEmbeddingsWire } from './openai-embeddings-wire.js';
import { openaiResponsesWire } from './openai-responses-wire.js';
import { openaiWire } from './openai-wire.js';

/** A POST endpoint: its wire, its name in the stats and, for path-model APIs, what the path said. */
export interface MockRoute {
  readonly wire: MockDialect;
  readonly endpoint: string;
  readonly route?: MockContext['route'];
}

const POST_ENDPOINTS: ReadonlyMap<string, MockRoute> = new Map([
  ['/v1/chat/completions', { wire: openaiWire, endpoint: 'chat.completions' }],
  ['/v1/responses', { wire: openaiResponsesWire, endpoint: 'responses' }],
  ['/v1/embeddings', { wire: openaiEmbeddingsWire, endpoint: 'embeddings' }],
  ['/v1/completions', { wire: openaiCompletionsWire, endpoint: 'completions' }],
  ['/v1/messages', { wire: anthropicWire, endpoint: 'messages' }],
  ['/v1/messages/count_tokens', { wire: anthropicCountTokensWire, endpoint: 'messages.count_tokens' }],
]);

/** Endpoints that name the model (group 1) and the method (group 2) in the path. */
const PATH_MODEL_ENDPOINTS: readonly { pattern: RegExp; wire: MockDialect; endpoint: string; streamMethod: string }[] = [
  { pattern: /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/, wire: geminiWire, endpoint: 'gemini.generateContent', streamMethod: 'streamGenerateContent' },
  {
    pattern: /^\/v1\/projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent)$/,
    wire: geminiWire, endpoint: 'vertex.generateContent', streamMethod: 'streamGenerateContent',
  },
  { pattern: /^\/model\/([^/]+)\/(converse|converse-stream)$/, wire: bedrockWire, endpoint: 'bedrock.converse', streamMethod: 'converse-stream' },
];

/** The route of `POST path` (deployment prefix and query removed), or undefined for an unknown path. */
export function postRoute(path: string): MockRoute | undefined {
  const post = POST_ENDPOINTS.get(path);
  if (post) return post;
  for (const { pattern, wire, endpoint, streamMethod } of PATH_MODEL_ENDPOINTS) {
    const match = pattern.exec(path);
    if (match === null) continue;
    let model: string;
    try {
      model = decodeURIComponent(match[1]);
    } catch {
      model = match[1];
    }
    return { wire, endpoint, route: { model, stream: match[2] === streamMethod } };
  }
  return undefined;
}
