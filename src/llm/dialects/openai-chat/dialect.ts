import type { ChatRequest, ChatResponse } from '../../types.js';
import { parseOpenAIRequest } from '../openai-request.js';
import { toOpenAIResponse } from '../openai-response.js';
import { OpenAIStreamEncoder } from '../openai-stream.js';
import type { ClientEncoder, RelayContext, WireDialect } from '../wire/wire-dialect.js';
import { OPENAI_CHAT_CAPABILITIES, openAIChatFeatures } from './capabilities.js';
import { OpenAIChatRelay } from './relay.js';
import { openAIUsage } from './usage.js';

/**
 * Request headers of the OpenAI API forwarded to an OpenAI-API deployment (same API only):
 * the organization and project the client bills to, and beta opt-ins. Credentials never pass:
 * the deployment's own key is sent.
 */
export const OPENAI_FORWARDED_HEADERS: readonly string[] = Object.freeze(['openai-organization', 'openai-project', 'openai-beta']);

/** Response headers of the OpenAI API handed back as they came (same API only). */
const PASSED_BACK = new Set(['openai-organization', 'openai-project', 'openai-processing-ms', 'openai-version']);

/** The OpenAI Chat Completions API (`POST /v1/chat/completions`) as a wire dialect. */
export const OPENAI_CHAT: WireDialect = Object.freeze({
  name: 'openai-chat' as const,
  family: 'openai' as const,
  endpoint: 'chat/completions',
  usageChunk: true,
  forwardHeaders: OPENAI_FORWARDED_HEADERS,
  passBack(name: string): string | undefined {
    if (name === 'x-request-id') return 'x-upstream-request-id';
    return name.startsWith('x-ratelimit-') || PASSED_BACK.has(name) ? name : undefined;
  },
  usage: openAIUsage,
  relay: (context: RelayContext) => new OpenAIChatRelay(context),
  toCanonical: (body: unknown): ChatRequest => parseOpenAIRequest(body).request,
  features: openAIChatFeatures,
  capabilities: OPENAI_CHAT_CAPABILITIES,
  answerJson: (response: ChatResponse) => JSON.stringify(toOpenAIResponse(response)),
  encoder: (createdSeconds: number, includeUsage: boolean): ClientEncoder => new OpenAIStreamEncoder({ created: createdSeconds, includeUsage }),
});
