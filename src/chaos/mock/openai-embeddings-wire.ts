/**
 * OpenAI `POST /v1/embeddings` in the mock: `input` as a string, strings, tokens or token lists;
 * `encoding_format` `float` (default) or `base64`; `dimensions` shortens the vector. Usage counts
 * the input the way chat counts a prompt.
 */
import { CHARS_PER_TOKEN, tokensOf } from './answer.js';
import type { MockDialect, MockRejection } from './dialect.js';
import { base64OfVector, embeddingVector, FIXED_DIMENSION_MODELS, nativeDimensions } from './embedding-vector.js';
import { openaiWire } from './openai-wire.js';

interface EmbeddingsDetail {
  /** One text per input (token arrays joined with spaces). */
  inputs: string[];
  /** Prompt characters per input (a token counts {@link CHARS_PER_TOKEN}). */
  chars: number[];
  base64: boolean;
  dimensions: number;
}

const invalid = (message: string, param: string): MockRejection => ({ kind: 'invalid_request', message, param, code: null });
const isTokens = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every((t) => Number.isInteger(t));

function readInputs(input: unknown): { inputs: string[]; chars: number[] } | undefined {
  const items: unknown[] = typeof input === 'string' || isTokens(input) ? [input] : Array.isArray(input) ? input : [];
  if (items.length === 0) return undefined;
  const inputs: string[] = [];
  const chars: number[] = [];
  for (const item of items) {
    if (typeof item === 'string' && item !== '') {
      inputs.push(item);
      chars.push(item.length);
    } else if (isTokens(item)) {
      inputs.push(item.join(' '));
      chars.push(item.length * CHARS_PER_TOKEN);
    } else return undefined;
  }
  return { inputs, chars };
}

/** `POST /v1/embeddings`. */
export const openaiEmbeddingsWire: MockDialect = {
  ...openaiWire,

  parse(body) {
    const b = body as Record<string, unknown> | null;
    if (!b || typeof b !== 'object' || Array.isArray(b)) return 'The request body must be a JSON object.';
    if (typeof b.model !== 'string' || b.model === '') return invalid("Missing required parameter: 'model'.", 'model');
    const read = readInputs(b.input);
    if (!read) return invalid("'input' must be a non-empty string, an array of non-empty strings, or an array of token arrays.", 'input');
    const format = b.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64') return invalid(`'encoding_format' must be 'float' or 'base64', got ${JSON.stringify(format)}.`, 'encoding_format');
    const native = nativeDimensions(b.model);
    let dimensions = native;
    if (b.dimensions !== undefined) {
      if (FIXED_DIMENSION_MODELS.includes(b.model)) return invalid('This model does not support specifying dimensions.', 'dimensions');
      if (typeof b.dimensions !== 'number' || !Number.isInteger(b.dimensions) || b.dimensions < 1 || b.dimensions > native) {
        return invalid(`'dimensions' must be an integer from 1 to ${native}, got ${JSON.stringify(b.dimensions)}.`, 'dimensions');
      }
      dimensions = b.dimensions;
    }
    const detail: EmbeddingsDetail = { ...read, base64: format === 'base64', dimensions };
    const promptChars = read.chars.reduce((sum, n) => sum + n, 0);
    return { model: b.model, stream: false, includeUsage: false, lastUserText: read.inputs[0], endsWithUserText: false, promptChars, tools: [], forcedTool: undefined, detail };
  },

  responseBody(turn) {
    const detail = turn.detail as EmbeddingsDetail;
    const data = detail.inputs.map((text, index) => {
      const vector = embeddingVector(turn.model, text, detail.dimensions);
      return { object: 'embedding', index, embedding: detail.base64 ? base64OfVector(vector) : Array.from(vector) };
    });
    const promptTokens = detail.chars.reduce((sum, n) => sum + tokensOf(n), 0);
    return JSON.stringify({ object: 'list', data, model: turn.model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } });
  },

  streamEvents: () => [],
};
