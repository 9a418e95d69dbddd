/**
 * The Gemini `generateContent` / `streamGenerateContent?alt=sse` wire format of the mock (Google
 * AI Studio's `/v1beta/models/{model}:…` and Vertex AI's
 * `/v1/projects/{p}/locations/{r}/publishers/google/models/{model}:…` share it). The model and
 * the streaming flag come from the path, so the engine hands them over in `context.route`.
 */
import type { MockTool, MockTurn } from './answer.js';
import { splitForStream } from './answer.js';
import type { MockDialect, MockErrorKind } from './dialect.js';

const STATUS: Record<MockErrorKind, { code: number; status: string }> = {
  rate_limit: { code: 429, status: 'RESOURCE_EXHAUSTED' },
  server: { code: 500, status: 'INTERNAL' },
  unavailable: { code: 503, status: 'UNAVAILABLE' },
  overloaded: { code: 503, status: 'UNAVAILABLE' },
  auth: { code: 403, status: 'PERMISSION_DENIED' },
  context_length: { code: 400, status: 'INVALID_ARGUMENT' },
  invalid_request: { code: 400, status: 'INVALID_ARGUMENT' },
  not_found: { code: 404, status: 'NOT_FOUND' },
};

function textOfParts(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  let text = '';
  for (const part of parts) if (part && typeof part.text === 'string' && part.thought !== true) text += part.text;
  return text;
}

const sseData = (json: string) => `data: ${json}\r\n\r\n`;

function usageJson(turn: MockTurn, promptTokens: number, outputTokens: number): string {
  return `{"promptTokenCount":${promptTokens},"candidatesTokenCount":${outputTokens},"totalTokenCount":${promptTokens + outputTokens}}`;
}

/** The Gemini dialect of the mock. */
export const geminiWire: MockDialect = {
  name: 'gemini',
  requestIdHeader: 'x-goog-request-id',

  parse(body, context) {
    const b = body as Record<string, any> | null;
    if (!b || typeof b !== 'object' || Array.isArray(b)) return 'Invalid JSON payload received. The request body must be an object.';
    if (!Array.isArray(b.contents) || b.contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
    const route = context?.route;
    if (route === undefined) return 'The model must be named in the path.';
    let promptChars = textOfParts(b.systemInstruction?.parts).length;
    let lastUserText = '';
    for (const content of b.contents) {
      const text = textOfParts(content?.parts);
      promptChars += text.length;
      if (content?.role !== 'model' && text !== '') lastUserText = text;
    }
    const last = b.contents[b.contents.length - 1];
    const lastIsText = Array.isArray(last?.parts) && last.parts.some((p: any) => typeof p?.text === 'string');
    const mode = b.toolConfig?.functionCallingConfig?.mode;
    let tools: MockTool[] = [];
    if (Array.isArray(b.tools) && mode !== 'NONE') {
      tools = b.tools.flatMap((t: any) => (Array.isArray(t?.functionDeclarations) ? t.functionDeclarations : []))
        .filter((f: any) => typeof f?.name === 'string')
        .map((f: any) => ({ name: f.name, parameters: f.parametersJsonSchema ?? f.parameters ?? {} }));
    }
    const allowed = b.toolConfig?.functionCallingConfig?.allowedFunctionNames;
    const forcedTool = mode === 'ANY' ? (Array.isArray(allowed) && typeof allowed[0] === 'string' ? allowed[0] : 'any') : undefined;
    return {
      model: route.model,
      stream: route.stream,
      includeUsage: true,
      lastUserText,
      endsWithUserText: last?.role !== 'model' && lastIsText,
      promptChars,
      tools,
      forcedTool,
    };
  },

  toolCallId: (ids) => `fc_${ids.id}`,

  responseBody(turn, reply, ids) {
    const part = reply.toolCall
      ? `{"functionCall":{"name":${JSON.stringify(reply.toolCall.name)},"args":${reply.toolCall.arguments}}}`
      : `{"text":${JSON.stringify(reply.text ?? '')}}`;
    return (
      `{"candidates":[{"content":{"role":"model","parts":[${part}]},"finishReason":"STOP","index":0}],` +
      `"usageMetadata":${usageJson(turn, reply.promptTokens, reply.completionTokens)},` +
      `"modelVersion":${JSON.stringify(turn.model)},"responseId":"${ids.id}"}`
    );
  },

  streamEvents(turn, reply, ids) {
    const head = `"modelVersion":${JSON.stringify(turn.model)},"responseId":"${ids.id}"`;
    const usage = usageJson(turn, reply.promptTokens, reply.completionTokens);
    if (reply.toolCall) {
      const call = `{"functionCall":{"name":${JSON.stringify(reply.toolCall.name)},"args":${reply.toolCall.arguments}}}`;
      return [sseData(`{"candidates":[{"content":{"role":"model","parts":[${call}]},"finishReason":"STOP","index":0}],"usageMetadata":${usage},${head}}`)];
    }
    const pieces = splitForStream(reply.text ?? '');
    if (pieces.length === 0) pieces.push('');
    return pieces.map((piece, i) => {
      const last = i === pieces.length - 1;
      const finish = last ? ',"finishReason":"STOP"' : '';
      const tail = last ? `,"usageMetadata":${usage}` : '';
      return sseData(`{"candidates":[{"content":{"role":"model","parts":[{"text":${JSON.stringify(piece)}}]}${finish},"index":0}]${tail},${head}}`);
    });
  },

  errorBody(kind, message, _requestId, _detail, retryAfterMs) {
    const { code, status } = STATUS[kind];
    const details = retryAfterMs !== undefined
      ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${Math.ceil(retryAfterMs / 1000)}s` }]
      : undefined;
    return JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } });
  },

  errorStatus: (kind) => STATUS[kind].code,

  contextLengthMessage: (promptTokens, maxTokens) =>
    `The input token count (${promptTokens}) exceeds the maximum number of tokens allowed (${maxTokens}).`,

  modelsBody: (models) => JSON.stringify({ models: models.map((id) => ({ name: `models/${id}`, displayName: id })) }),

  modelBody: (id) => JSON.stringify({ name: `models/${id}`, displayName: id }),

  unknownModel: (id) => ({ kind: 'not_found', message: `models/${id} is not found for API version v1beta.` }),
};
