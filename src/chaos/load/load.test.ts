import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { sleep } from '../../core/clock.js';
import { httpChatSender } from './http-sender.js';
import { loadReportHtml } from './report-html.js';
import { LOAD_DEFAULTS, runLoad, type Send } from './runner.js';
import { arrivalTimes, parseStages } from './schedule.js';
import { holds, parseThreshold, parseThresholdArgument } from './thresholds.js';
import { parseDuration } from '../../core/duration.js';

describe('thresholds (k6 syntax)', () => {
  it.each([
    ['http_req_duration', 'p(95)<500', 499, true],
    ['http_req_duration', 'p(95)<500', 500, false],
    ['http_req_duration', 'avg<=200', 200, true],
    ['http_req_failed', 'rate<0.01', 0.02, false],
    ['http_reqs', 'count>100', 101, true],
    ['time_to_first_token', 'p(99.9) < 1000', 999, true],
  ] as const)('%s %s with %d → %s', (metric, expr, observed, ok) => {
    expect(holds(parseThreshold(metric, expr), observed)).toBe(ok);
  });

  it('rejects unknown metrics, unreadable expressions and aggregations that do not apply', () => {
    expect(() => parseThreshold('latency', 'p(95)<1')).toThrow(/unknown metric 'latency'/);
    expect(() => parseThreshold('http_req_duration', 'p95<1')).toThrow(/cannot read/);
    expect(() => parseThreshold('http_req_failed', 'p(95)<1')).toThrow(/does not apply/);
    expect(parseThresholdArgument('http_req_failed=rate<0.01').value).toBe(0.01);
  });

  it('rejects a percentile outside (0, 100] instead of reading it as the max', () => {
    expect(() => parseThreshold('http_req_duration', 'p(200)<5')).toThrow(/p\(200\): the percentile must be above 0 and at most 100/);
    expect(() => parseThreshold('http_req_duration', 'p(0)<5')).toThrow(/p\(0\)/);
    expect(parseThreshold('http_req_duration', 'p(100)<5').aggregation).toBe('p(100)');
  });
});

describe('arrival schedule (open model)', () => {
  it('spaces a constant rate evenly, first request at t=0', () => {
    expect([...arrivalTimes(10, [{ durationMs: 1000, target: 10 }])]).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('integrates a linear ramp exactly: 0 → 100 req/s over 10 s sends 500 requests, ever closer together', () => {
    const times = [...arrivalTimes(0, [{ durationMs: 10_000, target: 100 }])];
    expect(times.length).toBe(500);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps[10]).toBeGreaterThan(gaps[400]);
    expect(times.at(-1)!).toBeLessThanOrEqual(10_000);
  });

  it('parses stages', () => {
    expect(parseStages('10s:50,1m:0', parseDuration)).toEqual([{ durationMs: 10_000, target: 50 }, { durationMs: 60_000, target: 0 }]);
    expect(() => parseStages('10s', parseDuration)).toThrow(/stages\[0\]/);
  });
});

/** A simulated single-connection server on virtual time: 10 ms per request, and stalled between 1 s and 2 s. */
function stallingServer(clock: FakeClock, start: number): Send {
  let busyUntil = start;
  return async () => {
    const t = clock.now();
    const begin = Math.max(t, busyUntil, t >= start + 1000 && t < start + 2000 ? start + 2000 : 0);
    busyUntil = begin + 10;
    await sleep(clock, busyUntil - t);
    return { ok: true, status: 200, servedBy: 'primary' };
  };
}

describe('runLoad on virtual time', () => {
  it('pins its defaults', () => {
    expect(LOAD_DEFAULTS).toEqual({ maxInFlight: 1000, requestTimeoutMs: 60_000 });
  });

  it('corrects for coordinated omission: a 1 s stall shows in the p99 even when only one request was in flight', async () => {
    const clock = new FakeClock(0);
    const run = runLoad(stallingServer(clock, 0), { model: { kind: 'open', rate: 50 }, durationMs: 3000, maxInFlight: 1, clock });
    await clock.advance(5000);
    const summary = await run;
    expect(summary.requests).toBe(150);
    // From the intended send time: every request meant for the stalled second waited for it.
    expect(summary.latency.p99Ms).toBeGreaterThanOrEqual(900);
    expect(summary.latency.p90Ms).toBeGreaterThanOrEqual(300);
    // What a naive tool measures (from the actual send) hides almost all of it.
    expect(summary.serviceTime.p90Ms).toBeLessThan(50);
  });

  it('closed model: N workers back to back', async () => {
    const clock = new FakeClock(0);
    const send: Send = async () => {
      await sleep(clock, 100);
      return { ok: true, status: 200 };
    };
    const run = runLoad(send, { model: { kind: 'closed', concurrency: 2 }, durationMs: 1000, clock });
    await clock.advance(1500);
    const summary = await run;
    expect(summary.requests).toBe(20);
    expect(summary.latency.medMs).toBeCloseTo(100, 0); // HDR: 3 significant digits
  });

  it('thresholds decide `passed`, and errors are counted by kind', async () => {
    const clock = new FakeClock(0);
    let n = 0;
    const send: Send = async () => {
      await sleep(clock, 20);
      return ++n % 10 === 0 ? { ok: false, status: 503, error: 'http_503' } : { ok: true, status: 200, servedBy: 'secondary', degraded: n % 2 === 0 };
    };
    const run = runLoad(send, {
      model: { kind: 'open', rate: 100 }, durationMs: 1000, clock,
      thresholds: [parseThreshold('http_req_failed', 'rate<0.05'), parseThreshold('http_req_duration', 'p(95)<100')],
    });
    await clock.advance(2000);
    const summary = await run;
    expect(summary.errorsByKind).toEqual({ http_503: 10 });
    expect(summary.thresholds.map((t) => [t.source, t.ok])).toEqual([
      ['http_req_failed: rate<0.05', false],
      ['http_req_duration: p(95)<100', true],
    ]);
    expect(summary.thresholds[0].observed).toBe(0.1);
    expect(summary.thresholds[1].observed).toBeCloseTo(20, 1);
    expect(summary.passed).toBe(false);
    expect(summary.servedBy).toEqual({ secondary: 90, error: 10 });
    const html = loadReportHtml(summary);
    expect(html).toContain('FAILED');
    expect(html).toContain('<svg');
  });

  it('stopped by its signal (Ctrl-C): marked interrupted, and requests cut short by the stop are not counted as timeouts', async () => {
    const clock = new FakeClock(0);
    const stop = new AbortController();
    // Each request takes 250 ms; at 10 req/s about 3 are in flight when the run is stopped.
    const send: Send = async (_i, signal) => {
      await sleep(clock, 250, signal);
      return { ok: true, status: 200 };
    };
    const run = runLoad(send, { model: { kind: 'open', rate: 10 }, durationMs: 10_000, clock, signal: stop.signal });
    await clock.advance(1050);
    stop.abort();
    await clock.advance(1000);
    const summary = await run;
    expect(summary.interrupted).toBe(true);
    expect(summary.errors).toBe(0);
    expect(summary.errorsByKind).toEqual({});
    expect(summary.requests).toBe(9); // those sent at 0..800 ms finished by 1050 ms; 900 and 1000 ms were cut short
    expect(loadReportHtml(summary)).toContain('<strong>INTERRUPTED</strong>');
  });

  it('a signal already aborted when the run starts sends nothing', async () => {
    const clock = new FakeClock(0);
    let sent = 0;
    const run = runLoad(async () => ({ ok: true, status: 200, servedBy: String(++sent) }), { model: { kind: 'open', rate: 10 }, durationMs: 10_000, clock, signal: AbortSignal.abort() });
    await clock.advance(20_000);
    const summary = await run;
    expect(sent).toBe(0);
    expect(summary.interrupted).toBe(true);
  });

  it('a run that was not stopped is not marked interrupted', async () => {
    const clock = new FakeClock(0);
    const run = runLoad(async () => ({ ok: true, status: 200 }), { model: { kind: 'open', rate: 10 }, durationMs: 500, clock });
    await clock.advance(1000);
    expect((await run).interrupted).toBe(false);
  });

  it('a request past its timeout counts as an error', async () => {
    const clock = new FakeClock(0);
    const send: Send = (_i, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const run = runLoad(send, { model: { kind: 'open', rate: 10 }, durationMs: 500, requestTimeoutMs: 1000, clock });
    await clock.advance(3000);
    const summary = await run;
    expect(summary.requests).toBe(5);
    expect(summary.errorsByKind).toEqual({ timeout: 5 });
  });
});

describe('over real sockets', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  const listen = async (handler: Parameters<typeof createServer>[1]) => {
    server = createServer(handler);
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('a 200 whose body is not JSON (truncated, garbled) counts as an error, not a success', async () => {
    let n = 0;
    const url = await listen((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end(++n % 2 === 0 ? '{"choices":[{"mess' : '{"choices":[]}');
    });
    const sender = httpChatSender({ url });
    const summary = await runLoad(sender, { model: { kind: 'closed', concurrency: 1 }, durationMs: 60_000, maxRequests: 4 });
    await sender.close();
    expect(summary.requests).toBe(4);
    expect(summary.errorsByKind).toEqual({ malformed_body: 2 });
  });

  it('a server that stalls for 1 s shows up in the p99', async () => {
    const started = Date.now();
    const url = await listen((req, res) => {
      req.resume();
      const since = Date.now() - started;
      const delay = since >= 500 && since < 1500 ? 1500 - since : 0;
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json', 'x-bulwark-served-by': 'mock' }).end('{"ok":true}'), delay);
    });
    const sender = httpChatSender({ url, connections: 1 });
    const summary = await runLoad(sender, { model: { kind: 'open', rate: 40 }, durationMs: 2000 });
    await sender.close();
    expect(summary.requests).toBe(80);
    expect(summary.errors).toBe(0);
    expect(summary.latency.p99Ms).toBeGreaterThanOrEqual(800);
    expect(summary.servedBy).toEqual({ mock: 80 });
  });

  it('streams: measures time to first token and tells a complete stream from a cut one', async () => {
    let n = 0;
    const url = await listen((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"delta":{"content":"hi"}}]}\n\n');
      if (++n % 2 === 0) setTimeout(() => res.destroy(), 20); // cut after the first chunk reached the client
      else res.end('data: [DONE]\n\n');
    });
    const sender = httpChatSender({ url, stream: true, connections: 1 });
    const summary = await runLoad(sender, { model: { kind: 'closed', concurrency: 1 }, durationMs: 60_000, maxRequests: 6 });
    await sender.close();
    expect(summary.requests).toBe(6);
    expect(summary.errorsByKind).toEqual({ stream_incomplete: 3 });
    expect(summary.ttft?.count).toBe(6);
  });
});
