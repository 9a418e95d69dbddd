import { OPENAI_CHAT, OPENAI_FORWARDED_HEADERS } from '../openai-chat/dialect.js';
import type { ChatRequest, ChatResponse } from '../../types.js';
import { sameApiOnly } from '../same-api-only.js';
import type { ClientEncoder, RelayContext, WireDialect } from '../wire/wire-dialect.js';
import { ResponsesEncoder, responsesJson } from './codec.js';
import { ResponsesRelay } from './relay.js';
import { responsesUsage } from './usage.js';

/**
 * The OpenAI Responses API (`POST /v1/responses`) as a wire dialect: passed through to
 * OpenAI-API deployments as it came (no `stream_options` added: the API has its usage in
 * `response.completed`), relayed event for event. No translation to Anthropic: a Responses
 * route needs OpenAI-API deployments. The gateway's own answers (default answer) are written
 * in the Responses shape.
 */
export const OPENAI_RESPONSES: WireDialect = Object.freeze({
  name: 'openai-responses' as const,
  family: 'openai' as const,
  endpoint: 'responses',
  forwardHeaders: OPENAI_FORWARDED_HEADERS,
  passBack: OPENAI_CHAT.passBack,
  usage: responsesUsage,
  relay: (context: RelayContext) => new ResponsesRelay(context),
  toCanonical: sameApiOnly('a Responses request', 'OpenAI').toCanonical as (body: unknown) => ChatRequest,
  answerJson: (response: ChatResponse) => responsesJson(response),
  encoder: (createdSeconds: number): ClientEncoder => new ResponsesEncoder(createdSeconds),
});
