import { describe, expect, it } from 'vitest';
import type { Router } from '../llm/types.js';
import { RouterSlot } from './router-slot.js';

function fakeRouter(name: string, closed: string[]): Router {
  return {
    chat: () => Promise.reject(new Error('unused')),
    stream: () => Promise.reject(new Error('unused')),
    call: () => Promise.reject(new Error('unused')),
    callStream: () => Promise.reject(new Error('unused')),
    models: () => [name],
    close: async () => {
      closed.push(name);
    },
  };
}

describe('RouterSlot', () => {
  it('closes a swapped-out router only after its last request ends', async () => {
    const closed: string[] = [];
    const slot = new RouterSlot(fakeRouter('a', closed));
    const first = slot.acquire();
    const second = slot.acquire();
    slot.swap(fakeRouter('b', closed));
    expect(slot.router.models()).toEqual(['b']);
    expect(slot.generation).toBe(2);
    expect(slot.inFlight).toBe(2);
    first.release();
    await Promise.resolve();
    expect(closed).toEqual([]);
    second.release();
    await Promise.resolve();
    expect(closed).toEqual(['a']);
    expect(slot.inFlight).toBe(0);
  });

  it('closes an idle router at once on swap, and every router on close()', async () => {
    const closed: string[] = [];
    const slot = new RouterSlot(fakeRouter('a', closed));
    slot.swap(fakeRouter('b', closed));
    await Promise.resolve();
    expect(closed).toEqual(['a']);
    await slot.close();
    expect(closed).toEqual(['a', 'b']);
  });
});
