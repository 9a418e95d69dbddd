import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../core/fake-clock.js';
import type { ChatResponse } from '../../types.js';
import { MemoryCacheStore } from '../../../state/cache/memory-cache-store.js';
import { ResponseCache } from './response-cache.js';

const answer = (content: string): ChatResponse => ({ id: 'a', model: 'm', content, finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 2 }, created: 0 });

function setup() {
  const clock = new FakeClock();
  const store = new MemoryCacheStore({ clock });
  return { clock, store, cache: new ResponseCache(store, clock, 60_000) };
}

describe('ResponseCache: writes off the request path', () => {
  it('a read right after set sees the answer (a copy) before it reaches the store', async () => {
    const { store, cache } = setup();
    const original = answer('hello');
    const written = cache.set('k', original, 1_000);
    expect(store.size).toBe(0); // not serialized yet
    const hit = await cache.get('k', 1_000);
    expect(hit).toEqual({ response: original, fresh: true, ageMs: 0 });
    expect(hit!.response).not.toBe(original);
    await written;
    expect(JSON.parse((await store.get('k'))!)).toEqual({ response: original, storedAt: expect.any(Number) });
  });

  it('the last set of a key in one turn wins, and the entry expires ttl after set, not after the write', async () => {
    const { clock, store, cache } = setup();
    void cache.set('k', answer('first'), 1_000);
    const written = cache.set('k', answer('second'), 1_000);
    await clock.advance(59_000); // time passes before the batch is written
    await written;
    expect(((await cache.get('k', 1_000))?.response as { content: string } | undefined)?.content).toBe('second');
    await clock.advance(1_000); // 60 s after set: gone, as if it had been stored at once
    expect(await store.get('k')).toBeUndefined();
    expect(await cache.get('k', 1_000)).toBeUndefined();
  });

  it('an answer past its time before it was written is a miss and never stored', async () => {
    const { clock, store, cache } = setup();
    const written = cache.set('k', answer('old'), 1_000);
    await clock.advance(60_000);
    expect(await cache.get('k', 1_000)).toBeUndefined();
    await written;
    expect(store.size).toBe(0);
  });

  it('a store that fails to write is a miss, never an error', async () => {
    const clock = new FakeClock();
    const broken = { get: async () => undefined, set: async () => { throw new Error('down'); }, delete: async () => undefined };
    const cache = new ResponseCache(broken, clock, 60_000);
    await expect(cache.set('k', answer('x'), 1_000)).resolves.toBeUndefined();
    expect(await cache.get('k', 1_000)).toBeUndefined();
  });

  it('close writes what is still pending, then closes the store', async () => {
    const writes: string[] = [];
    const store = { get: async () => undefined, set: async (key: string) => { writes.push(key); }, delete: async () => undefined, close: async () => { writes.push('closed'); } };
    const cache = new ResponseCache(store, new FakeClock(), 60_000);
    void cache.set('a', answer('x'), 1_000);
    void cache.set('b', answer('y'), 1_000);
    await cache.close();
    expect(writes).toEqual(['a', 'b', 'closed']);
  });
});
