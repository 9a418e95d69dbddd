/**
 * The AWS Bedrock Converse / ConverseStream wire format of the mock
 * (`POST /model/{modelId}/converse` and `/converse-stream`). The model id and the streaming flag
 * come from the path (`context.route`). Streams are binary AWS event-stream frames, encoded by
 * AWS's own codec; each frame travels as a latin1 string so the engine's pacing, cutting and
 * garbling work on it like on SSE events (see `streamEncoding`).
 */
import { encodeEventStreamFrame } from '../../llm/dialects/bedrock/event-stream.js';
import type { MockTool, MockTurn } from './answer.js';
import { splitForStream } from './answer.js';
import type { MockDialect, MockErrorKind } from './dialect.js';

const EXCEPTIONS: Record<MockErrorKind, { status: number; name: string }> = {
  rate_limit: { status: 429, name: 'ThrottlingException' },
  server: { status: 500, name: 'InternalServerException' },
  unavailable: { status: 503, name: 'ServiceUnavailableException' },
  overloaded: { status: 503, name: 'ServiceUnavailableException' },
  auth: { status: 403, name: 'AccessDeniedException' },
  context_length: { status: 400, name: 'ValidationException' },
  invalid_request: { status: 400, name: 'ValidationException' },
  not_found: { status: 404, name: 'ResourceNotFoundException' },
};

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const block of content) if (block && typeof block.text === 'string') text += block.text;
  return text;
}

const frame = (type: string, payload: string) => Buffer.from(encodeEventStreamFrame('event', type, payload)).toString('latin1');

function usageJson(turn: MockTurn, promptTokens: number, outputTokens: number): string {
  return `{"inputTokens":${promptTokens},"outputTokens":${outputTokens},"totalTokens":${promptTokens + outputTokens}}`;
}

/** The Bedrock Converse dialect of the mock. */
export const bedrockWire: MockDialect = {
  name: 'bedrock',
  requestIdHeader: 'x-amzn-requestid',
  streamContentType: 'application/vnd.amazon.eventstream',
  streamEncoding: 'latin1',

  parse(body, context) {
    const b = body as Record<string, any> | null;
    if (!b || typeof b !== 'object' || Array.isArray(b)) return 'Malformed input request, please reformat your input and try again.';
    if (!Array.isArray(b.messages) || b.messages.length === 0) return 'A conversation must start with a user message.';
    const route = context?.route;
    if (route === undefined) return 'The model id must be named in the path.';
    let promptChars = Array.isArray(b.system) ? textOf(b.system).length : 0;
    let lastUserText = '';
    for (const message of b.messages) {
      const text = textOf(message?.content);
      promptChars += text.length;
      if (message?.role === 'user' && text !== '') lastUserText = text;
    }
    const last = b.messages[b.messages.length - 1];
    const lastIsText = last?.role === 'user' && Array.isArray(last.content) && last.content.some((c: any) => typeof c?.text === 'string');
    let tools: MockTool[] = [];
    if (Array.isArray(b.toolConfig?.tools)) {
      tools = b.toolConfig.tools
        .filter((t: any) => typeof t?.toolSpec?.name === 'string')
        .map((t: any) => ({ name: t.toolSpec.name, parameters: t.toolSpec.inputSchema?.json ?? {} }));
    }
    const choice = b.toolConfig?.toolChoice;
    const forcedTool = choice?.tool?.name ?? (choice?.any !== undefined ? 'any' : undefined);
    return {
      model: route.model,
      stream: route.stream,
      includeUsage: true,
      lastUserText,
      endsWithUserText: lastIsText,
      promptChars,
      tools,
      forcedTool,
    };
  },

  toolCallId: (ids) => `tooluse_${ids.id}`,

  responseBody(turn, reply) {
    const block = reply.toolCall
      ? `{"toolUse":{"toolUseId":"${reply.toolCall.id}","name":${JSON.stringify(reply.toolCall.name)},"input":${reply.toolCall.arguments}}}`
      : `{"text":${JSON.stringify(reply.text ?? '')}}`;
    const stop = reply.toolCall ? 'tool_use' : 'end_turn';
    return (
      `{"output":{"message":{"role":"assistant","content":[${block}]}},"stopReason":"${stop}",` +
      `"usage":${usageJson(turn, reply.promptTokens, reply.completionTokens)},"metrics":{"latencyMs":1}}`
    );
  },

  streamEvents(turn, reply) {
    const events = [frame('messageStart', '{"role":"assistant"}')];
    if (reply.toolCall) {
      const call = reply.toolCall;
      events.push(frame('contentBlockStart', `{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"${call.id}","name":${JSON.stringify(call.name)}}}}`));
      events.push(frame('contentBlockDelta', `{"contentBlockIndex":0,"delta":{"toolUse":{"input":${JSON.stringify(call.arguments)}}}}`));
    } else {
      for (const piece of splitForStream(reply.text ?? '')) {
        events.push(frame('contentBlockDelta', `{"contentBlockIndex":0,"delta":{"text":${JSON.stringify(piece)}}}`));
      }
    }
    events.push(frame('contentBlockStop', '{"contentBlockIndex":0}'));
    events.push(frame('messageStop', `{"stopReason":"${reply.toolCall ? 'tool_use' : 'end_turn'}"}`));
    events.push(frame('metadata', `{"usage":${usageJson(turn, reply.promptTokens, reply.completionTokens)},"metrics":{"latencyMs":1}}`));
    return events;
  },

  errorBody: (_kind, message) => JSON.stringify({ message }),

  /** A flipped payload byte: the frame's CRC no longer matches, as with a corrupted connection. */
  garble(event) {
    const middle = event.length >> 1;
    return `${event.slice(0, middle)}${String.fromCharCode(event.charCodeAt(middle) ^ 0xff)}${event.slice(middle + 1)}`;
  },

  errorStatus: (kind) => EXCEPTIONS[kind].status,

  errorHeaders: (kind) => ({ 'x-amzn-errortype': `${EXCEPTIONS[kind].name}:http://internal.amazon.com/coral/com.amazon.bedrock/` }),

  contextLengthMessage: (promptTokens, maxTokens) => `Input is too long for requested model: ${promptTokens} tokens > ${maxTokens} maximum.`,

  modelsBody: (models) => JSON.stringify({ modelSummaries: models.map((modelId) => ({ modelId, modelName: modelId })) }),

  modelBody: (id) => JSON.stringify({ modelDetails: { modelId: id, modelName: id } }),

  unknownModel: (id) => ({ kind: 'not_found', message: `Could not resolve the foundation model from the model identifier ${id}.` }),
};
