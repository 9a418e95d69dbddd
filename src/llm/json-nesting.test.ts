import { describe, expect, it } from 'vitest';
import { MAX_BODY_NESTING } from './dialects/wire/wire-exchange.js';
import { nestsDeeperThan } from './json-nesting.js';

const nested = (n: number) => Buffer.from('{"a":'.repeat(n) + '[1]' + '}'.repeat(n));

describe('nestsDeeperThan', () => {
  it('pins the default nesting limit', () => {
    expect(MAX_BODY_NESTING).toBe(128);
  });

  it('counts objects and arrays, and nothing inside strings (escaped quotes included)', () => {
    expect(nestsDeeperThan(nested(3), 4)).toBe(false); // 3 objects + 1 array
    expect(nestsDeeperThan(nested(4), 4)).toBe(true);
    expect(nestsDeeperThan(Buffer.from('{"s":"[[[[[[{{{{\\"[[[[[","t":[]}'), 2)).toBe(false);
    expect(nestsDeeperThan(Buffer.from('[[],[],[[]]]'), 2)).toBe(true);
    expect(nestsDeeperThan(Buffer.from('[[],[],[]]'), 2)).toBe(false);
  });
});
