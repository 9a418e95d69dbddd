/** The Anthropic Messages wire format of the mock provider (thinking and prompt caching included). */
import type { MockReply, MockTool, MockTurn } from './answer.js';
import { splitForStream, tokensOf } from './answer.js';
import { applyCache, cacheBreakpoints, type MockCacheUsage } from './anthropic-cache.js';
import { anthropicTextOf } from './anthropic-text.js';
import { checkThinkingHistory, parseThinking, signatureOf, thinkingText } from './anthropic-thinking.js';
import type { MockContext, MockDialect, MockErrorKind } from './dialect.js';

const ERROR_TYPES: Record<MockErrorKind, string> = {
  rate_limit: 'rate_limit_error',
  server: 'api_error',
  unavailable: 'api_error',
  overloaded: 'overloaded_error',
  auth: 'authentication_error',
  context_length: 'invalid_request_error',
  invalid_request: 'invalid_request_error',
  not_found: 'not_found_error',
};

const sse = (type: string, data: string) => `event: ${type}\ndata: ${data}\n\n`;

/**
 * Parses a Messages body (also the body of `count_tokens`, which has no `max_tokens`): the turn,
 * or the message of a 400.
 */
export function parseMessagesBody(body: unknown, requireMaxTokens: boolean): MockTurn | string {
  const b = body as Record<string, any> | null;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return 'The request body must be a JSON object.';
  if (typeof b.model !== 'string' || b.model === '') return 'model: Field required';
  if (requireMaxTokens && typeof b.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(b.messages) || b.messages.length === 0) return 'messages: at least one message is required';
  const thinking = parseThinking(b.thinking, typeof b.max_tokens === 'number' ? b.max_tokens : Infinity);
  if (typeof thinking === 'string') return thinking;
  const historyError = checkThinkingHistory(b.messages, thinking);
  if (historyError !== undefined) return historyError;
  let promptChars = anthropicTextOf(b.system).length;
  let lastUserText = '';
  for (const message of b.messages) {
    const text = anthropicTextOf(message?.content);
    promptChars += text.length;
    if (message?.role === 'user') lastUserText = text;
  }
  const last = b.messages[b.messages.length - 1];
  const lastHasToolResult = Array.isArray(last?.content) && last.content.some((c: any) => c?.type === 'tool_result');
  const choice = b.tool_choice;
  let tools: MockTool[] = [];
  if (Array.isArray(b.tools) && choice?.type !== 'none') {
    tools = b.tools.filter((t: any) => typeof t?.name === 'string').map((t: any) => ({ name: t.name, parameters: t.input_schema ?? {} }));
  }
  const breakpoints = cacheBreakpoints(b);
  return {
    model: b.model,
    stream: b.stream === true,
    includeUsage: true,
    lastUserText,
    endsWithUserText: last?.role === 'user' && !lastHasToolResult,
    promptChars,
    tools,
    forcedTool: choice?.type === 'any' ? 'any' : choice?.type === 'tool' && typeof choice.name === 'string' ? choice.name : undefined,
    ...(thinking ? { thinking } : {}),
    ...(last?.role === 'assistant' ? { prefill: anthropicTextOf(last.content) } : {}),
    ...(breakpoints.length > 0 ? { cacheBreakpoints: breakpoints } : {}),
  };
}

/** The answer's content blocks (thinking first when asked for) and its output tokens. */
function contentOf(turn: MockTurn, reply: MockReply): { blocks: string[]; thinking: string | undefined; outputTokens: number } {
  const blocks: string[] = [];
  let outputTokens = reply.completionTokens;
  let thinking: string | undefined;
  if (turn.thinking) {
    thinking = thinkingText(turn);
    outputTokens += tokensOf(thinking.length);
    blocks.push(`{"type":"thinking","thinking":${JSON.stringify(thinking)},"signature":"${signatureOf(thinking)}"}`);
  }
  blocks.push(reply.toolCall
    ? `{"type":"tool_use","id":"${reply.toolCall.id}","name":${JSON.stringify(reply.toolCall.name)},"input":${reply.toolCall.arguments}}`
    : `{"type":"text","text":${JSON.stringify(reply.text)}}`);
  return { blocks, thinking, outputTokens };
}

/** The usage object: with cache fields only when the request had a breakpoint. */
function usageJson(promptTokens: number, outputTokens: number, cache: MockCacheUsage | undefined): string {
  if (!cache) return `{"input_tokens":${promptTokens},"output_tokens":${outputTokens}}`;
  const input = Math.max(0, promptTokens - cache.creation - cache.read);
  return `{"input_tokens":${input},"cache_creation_input_tokens":${cache.creation},"cache_read_input_tokens":${cache.read},"output_tokens":${outputTokens}}`;
}

/** The Anthropic dialect (`POST /v1/messages`, and the error format of every Anthropic endpoint). */
export const anthropicWire: MockDialect = {
  name: 'anthropic',

  parse: (body) => parseMessagesBody(body, true),

  requestIdHeader: 'request-id',

  toolCallId: (ids) => `toolu_${ids.id}`,

  responseBody(turn, reply, ids, context) {
    const { blocks, outputTokens } = contentOf(turn, reply);
    const stop = reply.toolCall ? 'tool_use' : 'end_turn';
    return (
      `{"id":"msg_${ids.id}","type":"message","role":"assistant","model":${JSON.stringify(turn.model)},"content":[${blocks.join(',')}],` +
      `"stop_reason":"${stop}","stop_sequence":null,"usage":${usageJson(reply.promptTokens, outputTokens, applyCache(turn, context))}}`
    );
  },

  streamEvents(turn, reply, ids, context?: MockContext) {
    const { thinking, outputTokens } = contentOf(turn, reply);
    const cache = applyCache(turn, context);
    const events = [
      sse(
        'message_start',
        `{"type":"message_start","message":{"id":"msg_${ids.id}","type":"message","role":"assistant","model":${JSON.stringify(turn.model)},"content":[],"stop_reason":null,"stop_sequence":null,"usage":${usageJson(reply.promptTokens, 1, cache)}}}`,
      ),
    ];
    let index = 0;
    if (thinking !== undefined) {
      events.push(sse('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}'));
      for (const piece of splitForStream(thinking)) {
        events.push(sse('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":${JSON.stringify(piece)}}}`));
      }
      events.push(sse('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"${signatureOf(thinking)}"}}`));
      events.push(sse('content_block_stop', '{"type":"content_block_stop","index":0}'));
      index = 1;
    }
    if (reply.toolCall) {
      const call = reply.toolCall;
      events.push(sse('content_block_start', `{"type":"content_block_start","index":${index},"content_block":{"type":"tool_use","id":"${call.id}","name":${JSON.stringify(call.name)},"input":{}}}`));
      events.push(sse('content_block_delta', `{"type":"content_block_delta","index":${index},"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(call.arguments)}}}`));
    } else {
      events.push(sse('content_block_start', `{"type":"content_block_start","index":${index},"content_block":{"type":"text","text":""}}`));
      for (const piece of splitForStream(reply.text ?? '')) {
        events.push(sse('content_block_delta', `{"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":${JSON.stringify(piece)}}}`));
      }
    }
    events.push(sse('content_block_stop', `{"type":"content_block_stop","index":${index}}`));
    const stop = reply.toolCall ? 'tool_use' : 'end_turn';
    events.push(
      sse('message_delta', `{"type":"message_delta","delta":{"stop_reason":"${stop}","stop_sequence":null},"usage":{"output_tokens":${outputTokens}}}`),
    );
    events.push(sse('message_stop', '{"type":"message_stop"}'));
    return events;
  },

  errorBody(kind, message, requestId) {
    return JSON.stringify({ type: 'error', error: { type: ERROR_TYPES[kind], message }, request_id: requestId });
  },

  contextLengthMessage: (promptTokens, maxTokens) => `prompt is too long: ${promptTokens} tokens > ${maxTokens} maximum`,

  modelsBody(models, created) {
    const createdAt = new Date(created * 1000).toISOString();
    const data = models.map((id) => ({ type: 'model', id, display_name: id, created_at: createdAt }));
    return JSON.stringify({ data, has_more: false, first_id: models[0] ?? null, last_id: models[models.length - 1] ?? null });
  },

  modelBody: (id, created) => JSON.stringify({ type: 'model', id, display_name: id, created_at: new Date(created * 1000).toISOString() }),

  unknownModel: (id) => ({ kind: 'not_found', message: `model: ${id}` }),
};
