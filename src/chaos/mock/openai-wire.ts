/** The OpenAI Chat Completions wire format of the mock provider. */
import type { MockTool, MockTurn } from './answer.js';
import { splitForStream } from './answer.js';
import type { MockDialect, MockErrorKind } from './dialect.js';

/** `system_fingerprint` of every mock response. */
export const OPENAI_MOCK_FINGERPRINT = 'fp_bulwark_mock';

/** The text of a Chat `content` or a Responses content list (every part with `text`, joined). */
export function openaiTextOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) if (part && typeof part.text === 'string') text += part.text;
  return text;
}

const ERRORS: Record<MockErrorKind, { type: string; code: string | null; param: string | null }> = {
  rate_limit: { type: 'requests', code: 'rate_limit_exceeded', param: null },
  server: { type: 'server_error', code: null, param: null },
  unavailable: { type: 'server_error', code: 'service_unavailable', param: null },
  overloaded: { type: 'server_error', code: 'overloaded', param: null },
  auth: { type: 'invalid_request_error', code: 'invalid_api_key', param: null },
  context_length: { type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' },
  invalid_request: { type: 'invalid_request_error', code: null, param: null },
  not_found: { type: 'invalid_request_error', code: 'unknown_url', param: null },
};

/** The OpenAI Chat Completions dialect (and the error format of every OpenAI endpoint). */
export const openaiWire: MockDialect = {
  name: 'openai',

  parse(body) {
    const b = body as Record<string, any> | null;
    if (!b || typeof b !== 'object' || Array.isArray(b)) return 'The request body must be a JSON object.';
    if (typeof b.model !== 'string' || b.model === '') return "you must provide a model parameter ('model')";
    if (!Array.isArray(b.messages) || b.messages.length === 0) return "'messages' must be a non-empty array";
    let promptChars = 0;
    let lastUserText = '';
    for (const message of b.messages) {
      const text = openaiTextOf(message?.content);
      promptChars += text.length;
      if (message?.role === 'user') lastUserText = text;
    }
    const last = b.messages[b.messages.length - 1];
    const choice = b.tool_choice;
    let tools: MockTool[] = [];
    if (Array.isArray(b.tools) && choice !== 'none') {
      tools = b.tools
        .filter((t: any) => t?.type === 'function' && typeof t.function?.name === 'string')
        .map((t: any) => ({ name: t.function.name, parameters: t.function.parameters ?? {} }));
    }
    const turn: MockTurn = {
      model: b.model,
      stream: b.stream === true,
      includeUsage: b.stream_options?.include_usage === true,
      lastUserText,
      endsWithUserText: last?.role === 'user',
      promptChars,
      tools,
      forcedTool: choice === 'required' ? 'any' : typeof choice?.function?.name === 'string' ? choice.function.name : undefined,
    };
    return turn;
  },

  requestIdHeader: 'x-request-id',

  toolCallId: (ids) => `call_${ids.id}`,

  responseBody(turn, reply, ids) {
    const message = reply.toolCall
      ? `{"role":"assistant","content":null,"tool_calls":[{"id":"${reply.toolCall.id}","type":"function","function":{"name":${JSON.stringify(reply.toolCall.name)},"arguments":${JSON.stringify(reply.toolCall.arguments)}}}],"refusal":null}`
      : `{"role":"assistant","content":${JSON.stringify(reply.text)},"refusal":null}`;
    const finish = reply.toolCall ? 'tool_calls' : 'stop';
    return (
      `{"id":"chatcmpl-${ids.id}","object":"chat.completion","created":${ids.created},"model":${JSON.stringify(turn.model)},` +
      `"choices":[{"index":0,"message":${message},"logprobs":null,"finish_reason":"${finish}"}],` +
      `"usage":{"prompt_tokens":${reply.promptTokens},"completion_tokens":${reply.completionTokens},"total_tokens":${reply.promptTokens + reply.completionTokens}},` +
      `"system_fingerprint":"${OPENAI_MOCK_FINGERPRINT}"}`
    );
  },

  streamEvents(turn, reply, ids) {
    const head = `data: {"id":"chatcmpl-${ids.id}","object":"chat.completion.chunk","created":${ids.created},"model":${JSON.stringify(turn.model)},"system_fingerprint":"${OPENAI_MOCK_FINGERPRINT}","choices":`;
    const tail = turn.includeUsage ? `,"usage":null}\n\n` : `}\n\n`;
    const chunk = (delta: string, finish: string | null) =>
      `${head}[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish ? `"${finish}"` : 'null'}}]${tail}`;
    const events: string[] = [];
    if (reply.toolCall) {
      const call = reply.toolCall;
      events.push(chunk(`{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"${call.id}","type":"function","function":{"name":${JSON.stringify(call.name)},"arguments":""}}]}`, null));
      events.push(chunk(`{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(call.arguments)}}}]}`, null));
      events.push(chunk('{}', 'tool_calls'));
    } else {
      events.push(chunk('{"role":"assistant","content":""}', null));
      for (const piece of splitForStream(reply.text ?? '')) events.push(chunk(`{"content":${JSON.stringify(piece)}}`, null));
      events.push(chunk('{}', 'stop'));
    }
    if (turn.includeUsage) {
      const total = reply.promptTokens + reply.completionTokens;
      events.push(`${head}[],"usage":{"prompt_tokens":${reply.promptTokens},"completion_tokens":${reply.completionTokens},"total_tokens":${total}}}\n\n`);
    }
    events.push('data: [DONE]\n\n');
    return events;
  },

  errorBody(kind, message, _requestId, detail) {
    const e = ERRORS[kind];
    return JSON.stringify({ error: { message, type: e.type, param: detail?.param !== undefined ? detail.param : e.param, code: detail?.code !== undefined ? detail.code : e.code } });
  },

  contextLengthMessage: (promptTokens, maxTokens) =>
    `This model's maximum context length is ${maxTokens} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`,

  modelsBody(models, created) {
    return JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: 'bulwark-mock' })) });
  },

  modelBody: (id, created) => JSON.stringify({ id, object: 'model', created, owned_by: 'bulwark-mock' }),

  unknownModel: (id) => ({ kind: 'not_found', message: `The model '${id}' does not exist or you do not have access to it.`, param: 'model', code: 'model_not_found' }),
};
