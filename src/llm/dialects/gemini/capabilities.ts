import { type CapabilityTable, type Feature } from '../capabilities.js';

/**
 * What a request translated into Gemini `generateContent` can carry (the Gemini codec writes
 * each of these; anything else a client asks for skips a Gemini deployment, or is dropped and
 * named when the route says `onUnsupported: drop`). Gemini has no end-user field, no prompt
 * cache markers (its caching is implicit: cached prompt tokens come back as cached input) and no
 * parallel-tool-call switch. A reasoning effort becomes `thinkingConfig` (a thinking budget, with
 * thoughts included: they come back as reasoning).
 */
export const GEMINI_CAPABILITIES: CapabilityTable = Object.freeze({
  api: 'Gemini generateContent',
  carries: new Set<Feature>([
    'text', 'system', 'image', 'pdf', 'tools', 'tool-choice', 'tool-results', 'max-tokens', 'temperature', 'top-p',
    'stop-sequences', 'stream', 'structured-output', 'seed', 'reasoning',
  ]),
});
