import { type CapabilityTable, type Feature } from '../capabilities.js';

/**
 * What a request translated into Bedrock Converse can carry (the Converse codec writes each of
 * these). Converse has no JSON mode, no seed and no end-user field; reasoning and prompt-cache
 * points are model-specific extras that the codec does not map.
 */
export const BEDROCK_CONVERSE_CAPABILITIES: CapabilityTable = Object.freeze({
  api: 'Bedrock Converse',
  carries: new Set<Feature>([
    'text', 'system', 'image', 'pdf', 'tools', 'tool-choice', 'tool-results', 'max-tokens', 'temperature', 'top-p',
    'stop-sequences', 'stream',
  ]),
});
