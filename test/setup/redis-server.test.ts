import { describe, expect, it } from 'vitest';
import { ensureRedis, redisAnswers } from './redis-server.js';

// pkg's port range (5000-5099): never the shared Redis at 6379.
const PORT = 5011;

describe('test setup: ensureRedis', () => {
  it('starts a redis-server when none answers, leaves a running one alone, and stops only its own', async () => {
    expect(await redisAnswers('127.0.0.1', PORT)).toBe(false);
    const started = await ensureRedis('127.0.0.1', PORT);
    try {
      expect(started?.pid).toBeGreaterThan(0);
      expect(await redisAnswers('127.0.0.1', PORT)).toBe(true);
      // A second setup finds it answering: nothing started, nothing for it to stop.
      expect(await ensureRedis('127.0.0.1', PORT)).toBeUndefined();
    } finally {
      await started?.stop();
    }
    expect(await redisAnswers('127.0.0.1', PORT)).toBe(false);
  });

  it('says why when the server cannot start', async () => {
    await expect(ensureRedis('127.0.0.1', PORT, 'redis-server-that-does-not-exist')).rejects.toThrow(/could not start redis-server-that-does-not-exist on 127.0.0.1:5011: spawn .*ENOENT/);
  });
});
