import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSseComment, formatSseEvent, SSE_MAX_EVENT_CHARS, SseParser, type SseEvent } from './sse.js';

function parseAll(chunks: (string | Uint8Array)[]): SseEvent[] {
  const parser = new SseParser();
  const out = chunks.flatMap((c) => parser.feed(c));
  return [...out, ...parser.end()];
}

describe('SseParser', () => {
  it('reads data, event and id fields, and ignores comments and unknown fields', () => {
    const events = parseAll([': hello\nevent: a\nid: 7\nretry: 10\nfoo: bar\ndata: one\n\ndata:two\n\n']);
    expect(events).toEqual([{ event: 'a', data: 'one', id: '7' }, { event: undefined, data: 'two', id: '7' }]);
  });

  it('joins multi-line data with LF and strips only one leading space', () => {
    expect(parseAll(['data: a\ndata:  b\ndata\n\n'])).toEqual([{ event: undefined, data: 'a\n b\n', id: undefined }]);
  });

  it('accepts CRLF, CR and LF line ends, including a CRLF split across chunks', () => {
    expect(parseAll(['data: x\r', '\n\r', '\ndata: y\r\rdata: z\n\n'])).toEqual([
      { event: undefined, data: 'x', id: undefined },
      { event: undefined, data: 'y', id: undefined },
      { event: undefined, data: 'z', id: undefined },
    ]);
  });

  it('skips blank-line dispatches with no data, a leading BOM, and an unterminated trailing event', () => {
    expect(parseAll(['\uFEFFevent: nothing\n\n\ndata: 1\n\ndata: partial'])).toEqual([{ event: undefined, data: '1', id: undefined }]);
  });

  it('decodes multi-byte UTF-8 split between chunks', () => {
    const bytes = Buffer.from('data: héllo 🌍\n\n');
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(parseAll(chunks)).toEqual([{ event: undefined, data: 'héllo 🌍', id: undefined }]);
  });

  it('gives the same events however the bytes are chunked (property)', () => {
    const sse = 'event: a\r\ndata: {"x":"é"}\r\n\r\n: c\ndata: 1\ndata: 2\n\nid: 3\rdata: z\r\r';
    const bytes = Buffer.from(sse);
    const expected = parseAll([sse]);
    expect(expected).toHaveLength(3);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 10 }), (cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
      const chunks = points.slice(1).map((end, i) => bytes.subarray(points[i], end));
      expect(parseAll(chunks)).toEqual(expected);
    }), { numRuns: 300 });
  });
});

describe('SseParser limits', () => {
  it('fails with server_error when a line or an event grows past the limit', () => {
    expect(SSE_MAX_EVENT_CHARS).toBe(8 * 1024 * 1024);
    const lines = new SseParser({ maxEventChars: 100 });
    lines.feed('data: ' + 'x'.repeat(90));
    expect(() => lines.feed('x'.repeat(20))).toThrow(expect.objectContaining({ kind: 'server_error' }));
    const events = new SseParser({ maxEventChars: 100 });
    expect(() => {
      for (let i = 0; i < 20; i++) events.feed('data: 0123456789\n');
    }).toThrow(expect.objectContaining({ kind: 'server_error' }));
    const ok = new SseParser({ maxEventChars: 100 });
    for (let i = 0; i < 20; i++) expect(ok.feed('data: 0123456789\n\n')).toHaveLength(1);
  });
});

describe('SSE writers', () => {
  it('formats events the parser reads back, including multi-line data', () => {
    const text = formatSseEvent('line 1\nline 2\r\nline 3', 'msg') + formatSseComment('ping\nx') + formatSseEvent('{}');
    expect(text).toContain('data: line 1\ndata: line 2\ndata: line 3\n\n');
    expect(parseAll([text])).toEqual([
      { event: 'msg', data: 'line 1\nline 2\nline 3', id: undefined },
      { event: undefined, data: '{}', id: undefined },
    ]);
  });
});
