/**
 * OpenAI-compatible servers Bulwark knows by name (`type: openai`, `preset: <name>`): each
 * preset gives the API root and what differs from OpenAI's own API. Facts are from each
 * vendor's API documentation (base URLs, whether streams report usage, where reasoning text
 * goes); a config's own `baseUrl` always wins over the preset's.
 */

/** What an OpenAI-compatible server does differently. */
export interface OpenAICompatiblePreset {
  /** API root including `/v1` (or the vendor's equivalent). */
  readonly baseUrl: string;
  /** Needs an API key (local servers such as vLLM and Ollama usually do not). */
  readonly requiresKey: boolean;
  /**
   * Accepts `stream_options: { include_usage: true }` (and then ends streams with a usage chunk).
   * Where false, Bulwark never adds it: Mistral refuses fields it does not know, and reports
   * usage in its last stream chunk unasked.
   */
  readonly acceptsStreamOptions: boolean;
  /** Assistant messages may carry `reasoning_content` (the model's reasoning text) beside `content`. */
  readonly reasoningContent: boolean;
}

/** The presets, by name. */
export const OPENAI_COMPATIBLE_PRESETS = Object.freeze({
  vllm: { baseUrl: 'http://127.0.0.1:8000/v1', requiresKey: false, acceptsStreamOptions: true, reasoningContent: true },
  ollama: { baseUrl: 'http://127.0.0.1:11434/v1', requiresKey: false, acceptsStreamOptions: true, reasoningContent: false },
  groq: { baseUrl: 'https://api.groq.com/openai/v1', requiresKey: true, acceptsStreamOptions: true, reasoningContent: false },
  together: { baseUrl: 'https://api.together.xyz/v1', requiresKey: true, acceptsStreamOptions: true, reasoningContent: false },
  mistral: { baseUrl: 'https://api.mistral.ai/v1', requiresKey: true, acceptsStreamOptions: false, reasoningContent: false },
  deepseek: { baseUrl: 'https://api.deepseek.com/v1', requiresKey: true, acceptsStreamOptions: true, reasoningContent: true },
  xai: { baseUrl: 'https://api.x.ai/v1', requiresKey: true, acceptsStreamOptions: true, reasoningContent: true },
} satisfies Record<string, OpenAICompatiblePreset>);

/** A preset's name. */
export type OpenAICompatiblePresetName = keyof typeof OPENAI_COMPATIBLE_PRESETS;

/** The preset names, for config validation and docs. */
export const OPENAI_COMPATIBLE_PRESET_NAMES = Object.freeze(Object.keys(OPENAI_COMPATIBLE_PRESETS)) as readonly OpenAICompatiblePresetName[];
