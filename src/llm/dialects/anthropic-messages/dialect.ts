import type { ChatRequest, ChatResponse } from '../../types.js';
import { parseAnthropicRequest } from '../anthropic-request.js';
import { toAnthropicResponse } from '../anthropic-response.js';
import { AnthropicStreamEncoder } from '../anthropic-stream.js';
import type { ClientEncoder, RelayContext, WireDialect } from '../wire/wire-dialect.js';
import { ANTHROPIC_MESSAGES_CAPABILITIES, anthropicMessagesFeatures } from './capabilities.js';
import { AnthropicMessagesRelay } from './relay.js';
import { anthropicUsage } from './usage.js';

/**
 * Request headers of the Anthropic API forwarded to an Anthropic deployment (same API only): the
 * API version the body was written for and beta opt-ins. Credentials never pass: the
 * deployment's own key is sent.
 */
export const ANTHROPIC_FORWARDED_HEADERS: readonly string[] = Object.freeze(['anthropic-version', 'anthropic-beta']);

/** The Anthropic Messages API (`POST /v1/messages`) as a wire dialect. */
export const ANTHROPIC_MESSAGES: WireDialect = Object.freeze({
  name: 'anthropic-messages' as const,
  family: 'anthropic' as const,
  endpoint: 'messages',
  forwardHeaders: ANTHROPIC_FORWARDED_HEADERS,
  passBack(name: string): string | undefined {
    if (name === 'request-id' || name === 'x-request-id') return 'x-upstream-request-id';
    return name.startsWith('anthropic-ratelimit-') || name === 'anthropic-organization-id' ? name : undefined;
  },
  usage: anthropicUsage,
  relay: (context: RelayContext) => new AnthropicMessagesRelay(context),
  toCanonical: (body: unknown): ChatRequest => parseAnthropicRequest(body).request,
  features: anthropicMessagesFeatures,
  capabilities: ANTHROPIC_MESSAGES_CAPABILITIES,
  answerJson: (response: ChatResponse) => JSON.stringify(toAnthropicResponse(response)),
  encoder: (): ClientEncoder => new AnthropicStreamEncoder(),
});
