/**
 * The OpenAI Responses wire format of the mock: `POST /v1/responses` (streamed as the real
 * semantic events: response.created, response.in_progress, output_item.added,
 * content_part.added, output_text.delta…, response.completed with usage), and the stored-state
 * endpoints `GET`/`DELETE /v1/responses/{id}`. A response is stored on the deployment that made
 * it (unless `store: false`); `previous_response_id` continues it there and is a 400 anywhere else.
 */
import { lookupTurn, splitForStream, type MockReply, type MockTool, type MockTurn } from './answer.js';
import type { MockContext, MockDialect, MockIds } from './dialect.js';
import { openaiTextOf, openaiWire } from './openai-wire.js';

/** What a Responses request asks besides the prompt, echoed in the response object as the API does. */
interface ResponsesDetail {
  instructions: string | null;
  previousResponseId: string | null;
  store: boolean;
  /** Request fields the response object repeats (tools, tool_choice, temperature…). */
  echo: Record<string, unknown>;
}

/** A GET/DELETE lookup: the id and what is stored under it. */
interface StoredDetail {
  id: string;
  json: string;
}

type Json = Record<string, any>;

const ECHOED_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({
  max_output_tokens: null,
  metadata: {},
  parallel_tool_calls: true,
  reasoning: { effort: null, summary: null },
  temperature: 1,
  text: { format: { type: 'text' } },
  tool_choice: 'auto',
  tools: [],
  top_p: 1,
  truncation: 'disabled',
  user: null,
});

const invalid = (message: string, param: string) => ({ kind: 'invalid_request' as const, message, param, code: null });

/** Prompt characters, the last user text and how the input ends, over Responses input items. */
function readInput(input: unknown): { chars: number; lastUserText: string; endsWithUserText: boolean } | string {
  if (typeof input === 'string') return { chars: input.length, lastUserText: input, endsWithUserText: true };
  if (!Array.isArray(input)) return "Invalid type for 'input': expected a string or an array of input items.";
  let chars = 0;
  let lastUserText = '';
  let endsWithUserText = false;
  for (const item of input as Json[]) {
    if (!item || typeof item !== 'object') return "Invalid type for 'input': every item must be an object.";
    endsWithUserText = false;
    if (item.type === 'function_call_output') {
      chars += (typeof item.output === 'string' ? item.output : openaiTextOf(item.output)).length;
    } else if (item.type === undefined || item.type === 'message') {
      const text = openaiTextOf(item.content);
      chars += text.length;
      if (item.role === 'user') {
        lastUserText = text;
        endsWithUserText = true;
      }
    }
  }
  return { chars, lastUserText, endsWithUserText };
}

function toolsOf(b: Json): { tools: MockTool[]; forcedTool: string | undefined } {
  const choice = b.tool_choice;
  if (!Array.isArray(b.tools) || choice === 'none') return { tools: [], forcedTool: undefined };
  const tools = b.tools
    .filter((t: Json) => t?.type === 'function' && typeof t.name === 'string')
    .map((t: Json) => ({ name: t.name as string, parameters: (t.parameters ?? {}) as Record<string, unknown> }));
  const forcedTool = choice === 'required' ? 'any' : choice?.type === 'function' && typeof choice.name === 'string' ? (choice.name as string) : undefined;
  return { tools, forcedTool };
}

function outputItem(reply: MockReply, ids: MockIds, status: 'in_progress' | 'completed'): Json {
  if (reply.toolCall) {
    const call = reply.toolCall;
    return { id: `fc_${ids.id}`, type: 'function_call', status, arguments: status === 'completed' ? call.arguments : '', call_id: call.id, name: call.name };
  }
  const content = status === 'completed' ? [{ type: 'output_text', text: reply.text ?? '', annotations: [], logprobs: [] }] : [];
  return { id: `msg_${ids.id}`, type: 'message', status, role: 'assistant', content };
}

function responseObject(turn: MockTurn, reply: MockReply, ids: MockIds, completed: boolean): Json {
  const detail = turn.detail as ResponsesDetail;
  const usage = {
    input_tokens: reply.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: reply.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: reply.promptTokens + reply.completionTokens,
  };
  return {
    id: `resp_${ids.id}`,
    object: 'response',
    created_at: ids.created,
    status: completed ? 'completed' : 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: detail.instructions,
    model: turn.model,
    output: completed ? [outputItem(reply, ids, 'completed')] : [],
    previous_response_id: detail.previousResponseId,
    service_tier: 'default',
    store: detail.store,
    ...detail.echo,
    usage: completed ? usage : null,
  };
}

/** Stores the finished response where it was made (unless `store: false`). */
function remember(turn: MockTurn, reply: MockReply, json: string, context: MockContext | undefined): void {
  const detail = turn.detail as ResponsesDetail;
  if (!detail.store || !context) return;
  const outputChars = reply.toolCall ? reply.toolCall.arguments.length : (reply.text ?? '').length;
  const id = JSON.parse(json).id as string;
  context.state.storeResponse(context.deployment, id, { model: turn.model, json, conversationChars: turn.promptChars + outputChars });
}

/** `POST /v1/responses`. */
export const openaiResponsesWire: MockDialect = {
  ...openaiWire,

  parse(body, context) {
    const b = body as Json | null;
    if (!b || typeof b !== 'object' || Array.isArray(b)) return 'The request body must be a JSON object.';
    if (typeof b.model !== 'string' || b.model === '') return invalid("Missing required parameter: 'model'.", 'model');
    if (b.input === undefined && typeof b.previous_response_id !== 'string') return invalid("Missing required parameter: 'input'.", 'input');
    const input = b.input === undefined ? { chars: 0, lastUserText: '', endsWithUserText: false } : readInput(b.input);
    if (typeof input === 'string') return invalid(input, 'input');
    let inherited = 0;
    const previous = typeof b.previous_response_id === 'string' ? b.previous_response_id : null;
    if (previous !== null) {
      const stored = context?.state.response(context.deployment, previous);
      if (!stored) return { kind: 'invalid_request', message: `Previous response with id '${previous}' not found.`, param: 'previous_response_id', code: 'previous_response_not_found' };
      inherited = stored.conversationChars;
    }
    const instructions = typeof b.instructions === 'string' ? b.instructions : null;
    const echo: Record<string, unknown> = {};
    for (const [field, fallback] of Object.entries(ECHOED_DEFAULTS)) echo[field] = b[field] ?? fallback;
    const detail: ResponsesDetail = { instructions, previousResponseId: previous, store: b.store !== false, echo };
    return {
      model: b.model,
      stream: b.stream === true,
      includeUsage: true,
      lastUserText: input.lastUserText,
      endsWithUserText: input.endsWithUserText,
      promptChars: (instructions ?? '').length + inherited + input.chars,
      ...toolsOf(b),
      detail,
    };
  },

  responseBody(turn, reply, ids, context) {
    const json = JSON.stringify(responseObject(turn, reply, ids, true));
    remember(turn, reply, json, context);
    return json;
  },

  streamEvents(turn, reply, ids, context) {
    let sequence = 0;
    const events: string[] = [];
    const emit = (type: string, fields: Json) => events.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`);
    const item = outputItem(reply, ids, 'completed');
    emit('response.created', { response: responseObject(turn, reply, ids, false) });
    emit('response.in_progress', { response: responseObject(turn, reply, ids, false) });
    emit('response.output_item.added', { output_index: 0, item: outputItem(reply, ids, 'in_progress') });
    if (reply.toolCall) {
      emit('response.function_call_arguments.delta', { item_id: item.id, output_index: 0, delta: reply.toolCall.arguments });
      emit('response.function_call_arguments.done', { item_id: item.id, output_index: 0, name: reply.toolCall.name, arguments: reply.toolCall.arguments });
    } else {
      const text = reply.text ?? '';
      const part = (partText: string) => ({ type: 'output_text', text: partText, annotations: [], logprobs: [] });
      const at = { item_id: item.id, output_index: 0, content_index: 0 };
      emit('response.content_part.added', { ...at, part: part('') });
      for (const delta of splitForStream(text)) emit('response.output_text.delta', { ...at, delta, logprobs: [] });
      emit('response.output_text.done', { ...at, text, logprobs: [] });
      emit('response.content_part.done', { ...at, part: part(text) });
    }
    emit('response.output_item.done', { output_index: 0, item });
    const completed = responseObject(turn, reply, ids, true);
    emit('response.completed', { response: completed });
    remember(turn, reply, JSON.stringify(completed), context);
    return events;
  },
};

function storedLookup(body: unknown, context: MockContext | undefined) {
  const id = String((body as { id?: unknown }).id);
  const stored = context?.state.response(context.deployment, id);
  if (!stored) return { kind: 'not_found' as const, message: `Response with id '${id}' not found.`, param: null, code: null };
  return lookupTurn(stored.model, { id, json: stored.json } satisfies StoredDetail);
}

/** `GET /v1/responses/{id}`: the stored response, on the deployment that made it only. */
export const openaiStoredResponseWire: MockDialect = {
  ...openaiWire,
  parse: storedLookup,
  responseBody: (turn) => (turn.detail as StoredDetail).json,
  streamEvents: () => [],
};

/** `DELETE /v1/responses/{id}`: forgets the stored response. */
export const openaiDeleteResponseWire: MockDialect = {
  ...openaiWire,
  parse: storedLookup,
  responseBody(turn, _reply, _ids, context) {
    const { id } = turn.detail as StoredDetail;
    context?.state.deleteResponse(context.deployment, id);
    return JSON.stringify({ id, object: 'response', deleted: true });
  },
  streamEvents: () => [],
};
