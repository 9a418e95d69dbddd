/**
 * Deepest nesting of objects and arrays a request body may have. Real requests (JSON schemas of
 * tools and structured outputs included) stay far below it; far deeper bodies exist only to
 * exhaust the stack of the recursive code behind the parser (cache keys, dialect mapping).
 */
export const MAX_BODY_NESTING = 128;

export { nestsDeeperThan } from '../../llm/json-nesting.js';
