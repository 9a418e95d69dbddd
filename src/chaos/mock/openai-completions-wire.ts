/**
 * OpenAI legacy `POST /v1/completions` in the mock: one choice per prompt (a string, strings,
 * tokens or token lists), streamed as `text_completion` chunks ending in `[DONE]`, with a usage
 * chunk when `stream_options.include_usage` is set. The text is the chat answer for that prompt.
 */
import { answerText, CHARS_PER_TOKEN, splitForStream, tokensOf, type MockTurn } from './answer.js';
import type { MockContext, MockDialect } from './dialect.js';
import { OPENAI_MOCK_FINGERPRINT, openaiWire } from './openai-wire.js';

interface CompletionsDetail {
  prompts: string[];
}

const isTokens = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every((t) => Number.isInteger(t));

/** The prompts as texts (token arrays joined with spaces) and their characters (a token counts {@link CHARS_PER_TOKEN}). */
function readPrompts(prompt: unknown): { prompts: string[]; chars: number } | undefined {
  const items: unknown[] = typeof prompt === 'string' || isTokens(prompt) ? [prompt] : Array.isArray(prompt) ? prompt : [];
  if (items.length === 0) return undefined;
  const prompts: string[] = [];
  let chars = 0;
  for (const item of items) {
    if (typeof item === 'string') {
      prompts.push(item);
      chars += item.length;
    } else if (isTokens(item)) {
      prompts.push(item.join(' '));
      chars += item.length * CHARS_PER_TOKEN;
    } else return undefined;
  }
  return { prompts, chars };
}

/** Each prompt's answer text, and the usage of the whole request. */
function answersOf(turn: MockTurn, context: MockContext | undefined) {
  const { prompts } = turn.detail as CompletionsDetail;
  const texts = prompts.map((prompt) => answerText({ ...turn, lastUserText: prompt }, context?.deployment));
  const promptTokens = tokensOf(turn.promptChars);
  const completionTokens = texts.reduce((sum, text) => sum + tokensOf(text.length), 0);
  return { texts, usage: `{"prompt_tokens":${promptTokens},"completion_tokens":${completionTokens},"total_tokens":${promptTokens + completionTokens}}` };
}

/** `POST /v1/completions`. */
export const openaiCompletionsWire: MockDialect = {
  ...openaiWire,

  parse(body) {
    const b = body as Record<string, any> | null;
    if (!b || typeof b !== 'object' || Array.isArray(b)) return 'The request body must be a JSON object.';
    if (typeof b.model !== 'string' || b.model === '') return { kind: 'invalid_request', message: "Missing required parameter: 'model'.", param: 'model', code: null };
    const read = readPrompts(b.prompt);
    if (!read) return { kind: 'invalid_request', message: "'prompt' must be a string, an array of strings, or token arrays.", param: 'prompt', code: null };
    const detail: CompletionsDetail = { prompts: read.prompts };
    return {
      model: b.model,
      stream: b.stream === true,
      includeUsage: b.stream_options?.include_usage === true,
      lastUserText: read.prompts[0],
      endsWithUserText: false,
      promptChars: read.chars,
      tools: [],
      forcedTool: undefined,
      detail,
    };
  },

  responseBody(turn, _reply, ids, context) {
    const { texts, usage } = answersOf(turn, context);
    const choices = texts.map((text, index) => `{"text":${JSON.stringify(text)},"index":${index},"logprobs":null,"finish_reason":"stop"}`);
    return (
      `{"id":"cmpl-${ids.id}","object":"text_completion","created":${ids.created},"model":${JSON.stringify(turn.model)},` +
      `"system_fingerprint":"${OPENAI_MOCK_FINGERPRINT}","choices":[${choices.join(',')}],"usage":${usage}}`
    );
  },

  streamEvents(turn, _reply, ids, context) {
    const { texts, usage } = answersOf(turn, context);
    const head = `data: {"id":"cmpl-${ids.id}","object":"text_completion","created":${ids.created},"model":${JSON.stringify(turn.model)},"system_fingerprint":"${OPENAI_MOCK_FINGERPRINT}","choices":`;
    const events: string[] = [];
    texts.forEach((text, index) => {
      for (const piece of splitForStream(text)) events.push(`${head}[{"text":${JSON.stringify(piece)},"index":${index},"logprobs":null,"finish_reason":null}]}\n\n`);
      events.push(`${head}[{"text":"","index":${index},"logprobs":null,"finish_reason":"stop"}]}\n\n`);
    });
    if (turn.includeUsage) events.push(`${head}[],"usage":${usage}}\n\n`);
    events.push('data: [DONE]\n\n');
    return events;
  },
};
