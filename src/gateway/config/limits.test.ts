import { describe, expect, it } from 'vitest';
import * as L from './limits.js';

describe('config limits (changing one is a deliberate behaviour change)', () => {
  it('pins every value', () => {
    expect({ ...L, RESERVED_DEPLOYMENT_IDS: [...L.RESERVED_DEPLOYMENT_IDS] }).toEqual({
      MAX_DURATION_MS: 2_147_483_647,
      MIN_BODY_LIMIT_BYTES: 1024,
      MAX_BODY_LIMIT_BYTES: 268_435_456,
      MIN_ANSWER_BYTES: 1024,
      MAX_ANSWER_BYTES: 268_435_456,
      MAX_CACHE_BYTES: 4_294_967_296,
      MAX_CACHE_ENTRIES: 10_000_000,
      MIN_TICK_MS: 100,
      RESERVED_DEPLOYMENT_IDS: ['cache', 'default', 'none'],
    });
  });
});
