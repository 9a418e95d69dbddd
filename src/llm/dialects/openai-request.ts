/**
 * OpenAI Chat Completions requests ⇄ the canonical {@link ChatRequest}.
 */
import type { ChatMessage, ChatRequest, ContentPart, ReasoningEffort, ResponseFormat, ToolCall, ToolChoice, ToolDefinition } from '../types.js';
import {
  checkArgumentsNesting, describe, invalid, isObject, optionalBoolean, optionalInt, optionalNumber, optionalPositiveInt, optionalString,
  requireArray, requireObject, requireString, splitDataUrl, type JsonObject,
} from './check.js';

/** The values of `reasoning_effort`. */
const REASONING_EFFORTS: ReadonlySet<ReasoningEffort> = new Set(['minimal', 'low', 'medium', 'high']);

/** A parsed OpenAI request: the canonical request plus the streaming flags the gateway needs. */
export interface ParsedOpenAIRequest {
  request: ChatRequest;
  /** `stream: true` was asked for. */
  stream: boolean;
  /** `stream_options.include_usage`: send a final usage chunk. */
  includeUsage: boolean;
}

/**
 * Validates an OpenAI `POST /v1/chat/completions` body and translates it.
 * Throws `LlmError('invalid_request')` whose message and `param` name the offending field.
 *
 * @example const { request, stream } = parseOpenAIRequest(JSON.parse(body));
 */
export function parseOpenAIRequest(body: unknown): ParsedOpenAIRequest {
  const b = requireObject(body, 'body');
  const model = requireString(b.model, 'model');
  if (model === '') invalid('model', 'must not be empty');
  const n = optionalInt(b.n, 'n');
  if (n !== undefined && n !== 1) invalid('n', `must be 1 (several choices are not supported), got ${n}`);
  const rawMessages = requireArray(b.messages, 'messages');
  if (rawMessages.length === 0) invalid('messages', 'must contain at least one message');

  const systemParts: string[] = [];
  const messages: ChatMessage[] = [];
  rawMessages.forEach((raw, i) => {
    const path = `messages[${i}]`;
    const m = requireObject(raw, path);
    const role = requireString(m.role, `${path}.role`);
    switch (role) {
      case 'system':
      case 'developer':
        systemParts.push(textOf(m.content, `${path}.content`));
        break;
      case 'user':
        messages.push({ role: 'user', content: userContent(m.content, `${path}.content`) });
        break;
      case 'assistant':
        messages.push(assistantMessage(m, path));
        break;
      case 'tool':
        messages.push({
          role: 'tool',
          toolCallId: requireString(m.tool_call_id, `${path}.tool_call_id`),
          content: textOf(m.content, `${path}.content`),
        });
        break;
      default:
        invalid(`${path}.role`, `must be one of system, developer, user, assistant, tool; got ${describe(role)}`);
    }
  });

  const request: ChatRequest = { model, messages };
  if (systemParts.length > 0) request.system = systemParts.join('\n\n');
  const maxTokens = optionalPositiveInt(b.max_completion_tokens, 'max_completion_tokens') ??
    optionalPositiveInt(b.max_tokens, 'max_tokens');
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const temperature = optionalNumber(b.temperature, 'temperature', 0, 2);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(b.top_p, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  const stop = parseStop(b.stop);
  if (stop !== undefined) request.stop = stop;
  if (b.tools !== undefined && b.tools !== null) request.tools = parseTools(b.tools);
  if (b.tool_choice !== undefined && b.tool_choice !== null) request.toolChoice = parseToolChoice(b.tool_choice);
  // safety_identifier is the newer name of the end-user id.
  const user = optionalString(b.user, 'user') ?? optionalString(b.safety_identifier, 'safety_identifier');
  if (user !== undefined) request.user = user;
  const parallel = optionalBoolean(b.parallel_tool_calls, 'parallel_tool_calls');
  if (parallel !== undefined) request.parallelToolCalls = parallel;
  if (b.reasoning_effort !== undefined && b.reasoning_effort !== null) {
    if (!REASONING_EFFORTS.has(b.reasoning_effort as ReasoningEffort)) invalid('reasoning_effort', `must be one of minimal, low, medium, high; got ${describe(b.reasoning_effort)}`);
    request.reasoningEffort = b.reasoning_effort as ReasoningEffort;
  }
  const seed = optionalInt(b.seed, 'seed');
  if (seed !== undefined) request.seed = seed;
  const responseFormat = parseResponseFormat(b.response_format);
  if (responseFormat !== undefined) request.responseFormat = responseFormat;

  const stream = optionalBoolean(b.stream, 'stream') ?? false;
  let includeUsage = false;
  if (b.stream_options !== undefined && b.stream_options !== null) {
    const so = requireObject(b.stream_options, 'stream_options');
    includeUsage = optionalBoolean(so.include_usage, 'stream_options.include_usage') ?? false;
  }
  return { request, stream, includeUsage };
}

/** `response_format`: `text` (the default) is no format; `json_object`; `json_schema` with its schema. */
function parseResponseFormat(raw: unknown): ResponseFormat | undefined {
  if (raw === undefined || raw === null) return undefined;
  const format = requireObject(raw, 'response_format');
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const spec = requireObject(format.json_schema, 'response_format.json_schema');
      const out: ResponseFormat = {
        type: 'json_schema',
        name: requireString(spec.name, 'response_format.json_schema.name'),
        schema: spec.schema === undefined ? {} : requireObject(spec.schema, 'response_format.json_schema.schema'),
      };
      const strict = optionalBoolean(spec.strict, 'response_format.json_schema.strict');
      if (strict !== undefined) out.strict = strict;
      return out;
    }
    default:
      return invalid('response_format.type', `must be one of text, json_object, json_schema; got ${describe(format.type)}`);
  }
}

/** Text from a string or an array of text parts (system, tool and assistant content). */
function textOf(content: unknown, path: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  const parts = requireArray(content, path);
  let text = '';
  parts.forEach((raw, i) => {
    const p = requireObject(raw, `${path}[${i}]`);
    if (p.type === 'text') text += requireString(p.text, `${path}[${i}].text`);
    else if (p.type === 'refusal') text += requireString(p.refusal, `${path}[${i}].refusal`);
    else invalid(`${path}[${i}].type`, `must be 'text' here, got ${describe(p.type)}`);
  });
  return text;
}

function userContent(content: unknown, path: string): string | ContentPart[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) invalid(path, `must be a string or an array of content parts, got ${describe(content)}`);
  const parts = content;
  return parts.map((raw, i): ContentPart => {
    const p = requireObject(raw, `${path}[${i}]`);
    if (p.type === 'text') return { type: 'text', text: requireString(p.text, `${path}[${i}].text`) };
    if (p.type === 'image_url') {
      const image = requireObject(p.image_url, `${path}[${i}].image_url`);
      const url = requireString(image.url, `${path}[${i}].image_url.url`);
      const inline = splitDataUrl(url);
      return inline ? { type: 'image', data: inline.data, mediaType: inline.mediaType } : { type: 'image', url };
    }
    if (p.type === 'file') {
      const file = requireObject(p.file, `${path}[${i}].file`);
      const inline = splitDataUrl(requireString(file.file_data, `${path}[${i}].file.file_data`));
      if (inline === undefined || inline.mediaType !== 'application/pdf') invalid(`${path}[${i}].file.file_data`, 'must be a base64 PDF data URL (other files are not translated)');
      const part: ContentPart = { type: 'document', mediaType: 'application/pdf', data: inline.data };
      const title = optionalString(file.filename, `${path}[${i}].file.filename`);
      if (title !== undefined) part.title = title;
      return part;
    }
    return invalid(`${path}[${i}].type`, `must be 'text', 'image_url' or 'file', got ${describe(p.type)}`);
  });
}

function assistantMessage(m: JsonObject, path: string): ChatMessage {
  const content = textOf(m.content, `${path}.content`);
  if (m.tool_calls === undefined || m.tool_calls === null) return { role: 'assistant', content };
  const calls = requireArray(m.tool_calls, `${path}.tool_calls`);
  const toolCalls = calls.map((raw, j): ToolCall => {
    const p = `${path}.tool_calls[${j}]`;
    const c = requireObject(raw, p);
    if (c.type !== undefined && c.type !== 'function') invalid(`${p}.type`, `must be 'function', got ${describe(c.type)}`);
    const fn = requireObject(c.function, `${p}.function`);
    const args = optionalString(fn.arguments, `${p}.function.arguments`) ?? '';
    // Checked here, where the client's path is known: a codec re-encoding them would overflow the stack.
    checkArgumentsNesting(args, `${p}.function.arguments`);
    return { id: requireString(c.id, `${p}.id`), name: requireString(fn.name, `${p}.function.name`), arguments: args };
  });
  return toolCalls.length > 0 ? { role: 'assistant', content, toolCalls } : { role: 'assistant', content };
}

function parseStop(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === 'string') return [stop];
  return requireArray(stop, 'stop').map((s, i) => requireString(s, `stop[${i}]`));
}

function parseTools(tools: unknown): ToolDefinition[] {
  return requireArray(tools, 'tools').map((raw, i): ToolDefinition => {
    const t = requireObject(raw, `tools[${i}]`);
    if (t.type !== 'function') invalid(`tools[${i}].type`, `must be 'function', got ${describe(t.type)}`);
    const fn = requireObject(t.function, `tools[${i}].function`);
    const def: ToolDefinition = {
      name: requireString(fn.name, `tools[${i}].function.name`),
      parameters: fn.parameters === undefined ? { type: 'object', properties: {} } :
        requireObject(fn.parameters, `tools[${i}].function.parameters`),
    };
    const description = optionalString(fn.description, `tools[${i}].function.description`);
    if (description !== undefined) def.description = description;
    return def;
  });
}

function parseToolChoice(choice: unknown): ToolChoice {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (isObject(choice) && choice.type === 'function') {
    const fn = requireObject(choice.function, 'tool_choice.function');
    return { name: requireString(fn.name, 'tool_choice.function.name') };
  }
  return invalid('tool_choice', `must be 'auto', 'none', 'required' or {type:'function',function:{name}}, got ${describe(choice)}`);
}

/**
 * Translates a canonical request into an OpenAI request body. With `stream`, asks for a final
 * usage chunk (`stream_options.include_usage`) so token counts survive streaming, unless
 * `streamOptions` is false (a server that refuses the field). The token cap
 * goes in `max_tokens` (what every OpenAI-compatible server reads) unless `maxTokensField` says
 * `max_completion_tokens` (what OpenAI's reasoning models require).
 */
export function toOpenAIRequest(request: ChatRequest, options: { stream?: boolean; streamOptions?: boolean; maxTokensField?: 'max_tokens' | 'max_completion_tokens' } = {}): JsonObject {
  const messages: JsonObject[] = [];
  if (request.system !== undefined && request.system !== '') messages.push({ role: 'system', content: request.system });
  for (const m of request.messages) {
    if (m.role === 'user') {
      messages.push({ role: 'user', content: typeof m.content === 'string' ? m.content : m.content.map(openAIPart) });
    } else if (m.role === 'assistant') {
      const out: JsonObject = { role: 'assistant', content: m.content };
      if (m.toolCalls && m.toolCalls.length > 0) {
        if (m.content === '') out.content = null;
        out.tool_calls = m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
      }
      messages.push(out);
    } else {
      messages.push({ role: 'tool', tool_call_id: m.toolCallId, content: m.content });
    }
  }
  const body: JsonObject = { model: request.model, messages };
  if (request.maxTokens !== undefined) body[options.maxTokensField ?? 'max_tokens'] = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((t) => ({
      type: 'function',
      function: t.description === undefined ? { name: t.name, parameters: t.parameters } :
        { name: t.name, description: t.description, parameters: t.parameters },
    }));
  }
  if (request.toolChoice !== undefined) {
    body.tool_choice = typeof request.toolChoice === 'string' ? request.toolChoice :
      { type: 'function', function: { name: request.toolChoice.name } };
  }
  if (request.user !== undefined) body.user = request.user;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.parallelToolCalls !== undefined && request.tools !== undefined && request.tools.length > 0) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.reasoningEffort !== undefined) body.reasoning_effort = request.reasoningEffort;
  if (request.responseFormat !== undefined) {
    const f = request.responseFormat;
    body.response_format = f.type === 'json_object' ? { type: 'json_object' } :
      { type: 'json_schema', json_schema: f.strict === undefined ? { name: f.name, schema: f.schema } : { name: f.name, schema: f.schema, strict: f.strict } };
  }
  if (options.stream) {
    body.stream = true;
    if (options.streamOptions !== false) body.stream_options = { include_usage: true };
  }
  return body;
}

function openAIPart(part: ContentPart): JsonObject {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if (part.type === 'document') {
    const file: JsonObject = { file_data: `data:${part.mediaType};base64,${part.data}` };
    if (part.title !== undefined) file.filename = part.title;
    return { type: 'file', file };
  }
  const url = part.url ?? `data:${part.mediaType ?? 'image/png'};base64,${part.data ?? ''}`;
  return { type: 'image_url', image_url: { url } };
}
