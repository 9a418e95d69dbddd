import { describe, expect, it } from 'vitest';
import * as D from './defaults.js';

describe('gateway defaults (changing one is a deliberate behaviour change)', () => {
  it('pins every value', () => {
    expect({ ...D }).toEqual({
      DEFAULT_PORT: 4000,
      DEFAULT_HOST: '127.0.0.1',
      DEFAULT_BODY_LIMIT_BYTES: 33_554_432,
      DEFAULT_HEADERS_TIMEOUT_MS: 10_000,
      DEFAULT_REQUEST_TIMEOUT_MS: 30_000,
      DEFAULT_KEEP_ALIVE_TIMEOUT_MS: 65_000,
      DEFAULT_SHUTDOWN_GRACE_MS: 30_000,
      DEFAULT_DRAIN_DELAY_MS: 0,
      DEFAULT_LOG_LEVEL: 'info',
    });
  });
});
