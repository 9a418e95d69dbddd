/** The Anthropic Messages wire format of the mock provider. */
import type { MockTool, MockTurn } from './answer.js';
import { splitForStream } from './answer.js';
import type { MockDialect, MockErrorKind } from './dialect.js';

function blockText(block: any): string {
  if (!block || typeof block !== 'object') return '';
  if (typeof block.text === 'string') return block.text;
  if (block.type === 'tool_result') return typeof block.content === 'string' ? block.content : textOf(block.content);
  return '';
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const block of content) text += blockText(block);
  return text;
}

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

/** The Anthropic dialect. */
export const anthropicWire: MockDialect = {
  name: 'anthropic',

  parse(body) {
    const b = body as Record<string, any> | null;
    if (!b || typeof b !== 'object' || Array.isArray(b)) return 'The request body must be a JSON object.';
    if (typeof b.model !== 'string' || b.model === '') return 'model: Field required';
    if (typeof b.max_tokens !== 'number') return 'max_tokens: Field required';
    if (!Array.isArray(b.messages) || b.messages.length === 0) return 'messages: at least one message is required';
    let promptChars = textOf(b.system).length;
    let lastUserText = '';
    for (const message of b.messages) {
      const text = textOf(message?.content);
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
    const turn: MockTurn = {
      model: b.model,
      stream: b.stream === true,
      includeUsage: true,
      lastUserText,
      endsWithUserText: last?.role === 'user' && !lastHasToolResult,
      promptChars,
      tools,
      forcedTool: choice?.type === 'any' ? 'any' : choice?.type === 'tool' && typeof choice.name === 'string' ? choice.name : undefined,
    };
    return turn;
  },

  requestIdHeader: 'request-id',

  toolCallId: (ids) => `toolu_${ids.id}`,

  responseBody(turn, reply, ids) {
    const content = reply.toolCall
      ? `[{"type":"tool_use","id":"${reply.toolCall.id}","name":${JSON.stringify(reply.toolCall.name)},"input":${reply.toolCall.arguments}}]`
      : `[{"type":"text","text":${JSON.stringify(reply.text)}}]`;
    const stop = reply.toolCall ? 'tool_use' : 'end_turn';
    return (
      `{"id":"msg_${ids.id}","type":"message","role":"assistant","model":${JSON.stringify(turn.model)},"content":${content},` +
      `"stop_reason":"${stop}","stop_sequence":null,"usage":{"input_tokens":${reply.promptTokens},"output_tokens":${reply.completionTokens}}}`
    );
  },

  streamEvents(turn, reply, ids) {
    const events = [
      sse(
        'message_start',
        `{"type":"message_start","message":{"id":"msg_${ids.id}","type":"message","role":"assistant","model":${JSON.stringify(turn.model)},"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":${reply.promptTokens},"output_tokens":1}}}`,
      ),
    ];
    if (reply.toolCall) {
      const call = reply.toolCall;
      events.push(sse('content_block_start', `{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"${call.id}","name":${JSON.stringify(call.name)},"input":{}}}`));
      events.push(sse('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(call.arguments)}}}`));
    } else {
      events.push(sse('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'));
      for (const piece of splitForStream(reply.text ?? '')) {
        events.push(sse('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(piece)}}}`));
      }
    }
    events.push(sse('content_block_stop', '{"type":"content_block_stop","index":0}'));
    const stop = reply.toolCall ? 'tool_use' : 'end_turn';
    events.push(
      sse('message_delta', `{"type":"message_delta","delta":{"stop_reason":"${stop}","stop_sequence":null},"usage":{"output_tokens":${reply.completionTokens}}}`),
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
};
