/**
 * A non-streaming upstream answer of any API family → the canonical {@link ChatResponse} (the
 * library's own API, and the middle step of every translation across APIs).
 */
import { LlmError } from '../../errors.js';
import type { UpstreamReply, UpstreamTarget } from '../../exchange.js';
import type { ChatResponse } from '../../types.js';
import { fromAnthropicResponse } from '../anthropic-response.js';
import { fromConverseResponse } from '../bedrock/converse-response.js';
import { fromGeminiResponse } from '../gemini/gemini-response.js';
import { fromOpenAIResponse } from '../openai-response.js';

function header(reply: UpstreamReply, name: string): string {
  const value = reply.headers[name];
  return Array.isArray(value) ? value[0] ?? '' : value ?? '';
}

/** Reads `reply` as `target`'s API answers. Throws `LlmError('server_error')` for a body that is not its answer. */
export function readCanonicalAnswer(reply: UpstreamReply, target: UpstreamTarget, createdSeconds: number): ChatResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.body.toString('utf8'));
  } catch {
    throw new LlmError('server_error', `Deployment ${target.deployment} answered with a body that is not JSON`);
  }
  switch (target.family) {
    case 'openai':
      return fromOpenAIResponse(parsed);
    case 'anthropic':
      return fromAnthropicResponse(parsed, createdSeconds);
    case 'gemini':
      return fromGeminiResponse(parsed, target.model, createdSeconds);
    case 'bedrock':
      return fromConverseResponse(parsed, target.model, header(reply, 'x-amzn-requestid'), createdSeconds);
  }
}
