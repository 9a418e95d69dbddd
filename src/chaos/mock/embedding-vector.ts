/**
 * The mock's embeddings: a deterministic unit vector per (model, text), so the same input always
 * embeds the same and different inputs differ. Values are float32 (what `encoding_format: base64`
 * carries), so the float and base64 forms decode to the same numbers.
 */
import { shortHash } from './answer.js';

/** Length of a mock embedding when the request gives no `dimensions`. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 1536;
/** Models whose native length differs from {@link DEFAULT_EMBEDDING_DIMENSIONS}. */
export const EMBEDDING_MODEL_DIMENSIONS: Readonly<Record<string, number>> = Object.freeze({ 'text-embedding-3-large': 3072 });
/** Models that refuse `dimensions`, as OpenAI's older embedding model does. */
export const FIXED_DIMENSION_MODELS: readonly string[] = Object.freeze(['text-embedding-ada-002']);

/** The native length of a model's embeddings. */
export function nativeDimensions(model: string): number {
  return EMBEDDING_MODEL_DIMENSIONS[model] ?? DEFAULT_EMBEDDING_DIMENSIONS;
}

/** A unit-length float32 vector of `dimensions` values for `text` under `model`. */
export function embeddingVector(model: string, text: string, dimensions: number): Float32Array {
  let state = Number.parseInt(shortHash(`${model}\u0000${text}`), 16) || 1;
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    // xorshift32: cheap, deterministic, good enough to make vectors look unrelated
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const value = (state >>> 0) / 0x1_0000_0000 - 0.5;
    vector[i] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) vector[i] *= scale;
  return vector;
}

/** The vector as `encoding_format: base64` sends it: little-endian float32 bytes. */
export function base64OfVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}
