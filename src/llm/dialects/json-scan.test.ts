import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isScanError, memberCut, parseSpan, scanJsonObject, type ScannedObject } from './json-scan.js';

const scan = (text: string, depth = 128) => scanJsonObject(Buffer.from(text), depth);
const ok = (text: string, depth = 128): ScannedObject => {
  const result = scan(text, depth);
  if (isScanError(result)) throw new Error(result.error);
  return result;
};

describe('scanJsonObject', () => {
  it('finds each top-level member value, nothing nested, and the closing brace', () => {
    const text = ' {"model" : "gpt-4", "messages":[{"model":"inner"}], "n":2, "s":"a\\"b}", "x":null }';
    const scanned = ok(text);
    expect([...scanned.members.keys()]).toEqual(['model', 'messages', 'n', 's', 'x']);
    const bytes = Buffer.from(text);
    expect(parseSpan(bytes, scanned.members.get('model')!)).toBe('gpt-4');
    expect(parseSpan(bytes, scanned.members.get('messages')!)).toEqual([{ model: 'inner' }]);
    expect(parseSpan(bytes, scanned.members.get('s')!)).toBe('a"b}');
    expect(text[scanned.closeAt]).toBe('}');
  });

  it('reads escaped member names, and the last of a repeated name (as JSON.parse does)', () => {
    const scanned = ok('{"mo\\u0064el":"a","model":"b"}');
    expect(parseSpan(Buffer.from('{"mo\\u0064el":"a","model":"b"}'), scanned.members.get('model')!)).toBe('b');
  });

  it.each([
    ['', 'must be a JSON object'],
    ['[1]', 'must be a JSON object'],
    ['{"a":1', "expected ',' or '}'"],
    ['{"a":1}x', 'unexpected data'],
    ['{"a":tru}', 'expected a JSON value'],
    ['{"a":01}', "expected ',' or '}'"],
    ['{"a":1.}', 'bad number'],
    ['{"a":"\\x"}', 'bad escape'],
    ['{"a":"\\u12"}', 'bad \\u escape'],
    ['{"a":"line\nbreak"}', 'control character'],
    ['{"a":"open}', 'unterminated string'],
    ['{a:1}', 'expected a member name'],
    ['{"a":[1,]}', 'expected a JSON value'],
  ])('refuses %j (%s)', (text, message) => {
    const result = scan(text);
    expect(isScanError(result) && result.error).toContain(message);
  });

  it('counts the nesting of objects and arrays, nothing inside strings', () => {
    const nested = (n: number) => '{"a":'.repeat(n) + '[1]' + '}'.repeat(n);
    expect(isScanError(scan(nested(3), 4))).toBe(false); // 3 objects + 1 array
    expect(isScanError(scan(nested(4), 4))).toBe(true);
    expect(isScanError(scan('{"s":"[[[[[[{{{{\\"[[[[[","t":[]}', 2))).toBe(false);
    expect((scan(nested(300)) as { error: string }).error).toContain('nest deeper than 128 levels');
  });

  it('agrees with JSON.parse on any JSON object (property)', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 6 })), (object) => {
      const text = JSON.stringify(object, null, Math.random() < 0.5 ? 0 : 2);
      const scanned = ok(text);
      const bytes = Buffer.from(text);
      const parsed = JSON.parse(text) as Record<string, unknown>;
      expect([...scanned.members.keys()].sort()).toEqual(Object.keys(parsed).sort());
      for (const [key, span] of scanned.members) expect(parseSpan(bytes, span)).toEqual(parsed[key]);
    }), { numRuns: 300 });
  });

  it('refuses what JSON.parse refuses (property: a JSON object with one byte changed)', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })), fc.nat(), fc.integer({ min: 0, max: 127 }), (object, at, byte) => {
      const bytes = Buffer.from(JSON.stringify(object));
      bytes[at % bytes.length] = byte;
      let valid = true;
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch {
        valid = false;
      }
      const isObject = valid && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
      expect(!isScanError(scanJsonObject(bytes, Infinity))).toBe(isObject);
    }), { numRuns: 2000 });
  });
});

describe('memberCut', () => {
  const without = (text: string, name: string): unknown => {
    const bytes = Buffer.from(text);
    const scanned = scanJsonObject(bytes, 128) as ScannedObject;
    const cut = memberCut(bytes, scanned.members.get(name)!);
    return JSON.parse(Buffer.concat([bytes.subarray(0, cut.start), bytes.subarray(cut.end)]).toString('utf8'));
  };

  it('leaves the same object minus the member, wherever it stands and however it is spaced', () => {
    expect(without('{"cut":{"a":[1,","]}}', 'cut')).toEqual({});
    expect(without('{ "cut" : 1 , "b":2}', 'cut')).toEqual({ b: 2 });
    expect(without('{"a":1,\n  "cut":  "x\\"y" \n}', 'cut')).toEqual({ a: 1 });
    expect(without('{"a":1, "cut":true, "b":"\\"cut\\":"}', 'cut')).toEqual({ a: 1, b: '"cut":' });
    fc.assert(fc.property(
      fc.dictionary(fc.string().filter((k) => k !== 'cut'), fc.jsonValue(), { maxKeys: 5 }), fc.jsonValue(), fc.nat(5), fc.constantFrom(undefined, 1, '\t'),
      (rest, value, at, space) => {
        const entries = Object.entries(rest);
        entries.splice(Math.min(at, entries.length), 0, ['cut', value]);
        const text = JSON.stringify(Object.fromEntries(entries), null, space);
        expect(without(text, 'cut')).toEqual(JSON.parse(JSON.stringify(rest)));
      },
    ));
  });
});
