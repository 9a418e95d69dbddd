import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, testConfigYaml } from '../../../test/gateway/helpers.js';
import { hashKey } from '../auth.js';
import type { Gateway } from '../gateway.js';
import { DASHBOARD_COOKIE } from './dashboard-session.js';

// The dashboard's HTTP side: page, assets, sign-in, and the Server-Sent Events feed.

const CLIENT_KEY = 'bk-dash-client-key-0123456789';
const ADMIN_KEY = 'bk-dash-admin-key-0123456789';
const withAdminKey = () => testConfigYaml(`
auth:
  keys: [ { tenant: acme, sha256: ${hashKey(CLIENT_KEY)} } ]
  adminKeySha256: ${hashKey(ADMIN_KEY)}
`);

type SseEvent = { event: string; data: any };

/** Reads SSE frames from a response; `until` waits until the predicate holds for the events since the last call. */
function sseReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    reader,
    async until(done: (events: SseEvent[]) => boolean, timeoutMs = 5000): Promise<SseEvent[]> {
      const events: SseEvent[] = [];
      const deadline = Date.now() + timeoutMs;
      while (!done(events)) {
        if (Date.now() > deadline) throw new Error(`timed out; got ${events.map((e) => e.event).join(', ')}`);
        const { value, done: ended } = await reader.read();
        if (ended) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
      return events;
    },
  };
}

describe('dashboard', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.shutdown(1000);
    gateway = undefined;
  });

  it('serves the page with a strict CSP and its assets (uPlot included) with validators', async () => {
    gateway = await startTestGateway();
    const page = await fetch(`${gateway.url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('/dashboard/assets/uplot.min.js');
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN

    const uplot = await fetch(`${gateway.url}/dashboard/assets/uplot.min.js`);
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await uplot.text()).toContain('uPlot');
    const etag = uplot.headers.get('etag')!;
    const again = await fetch(`${gateway.url}/dashboard/assets/uplot.min.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    for (const name of ['uplot.min.css', 'dashboard.js', 'dashboard.css']) expect((await fetch(`${gateway.url}/dashboard/assets/${name}`)).status).toBe(200);
    const missing = await fetch(`${gateway.url}/dashboard/assets/../../package.json`);
    expect(missing.status).toBe(404);
    await missing.text();
  });

  it('streams a snapshot each interval and breaker transitions as they happen; forgets a page that leaves', async () => {
    gateway = await startTestGateway();
    const controller = new AbortController();
    const res = await fetch(`${gateway.url}/dashboard/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const sse = sseReader(res);
    const events = await sse.until((e) => e.some((x) => x.event === 'snapshot'));
    expect(events[0]).toMatchObject({ event: 'hello', data: { timeline: [] } });
    const snapshot = events[1].data;
    expect(snapshot.routes.map((r: { name: string }) => r.name)).toEqual(['gpt-4', 'claude-sonnet']);
    expect(snapshot.routes[0].chain[0].deployments[0]).toMatchObject({ id: 'primary-gpt4', breaker: 'closed', available: true });
    expect(gateway.ops.feed.clientCount).toBe(1);

    gateway.router.forceOpen('primary-gpt4');
    const more = await sse.until((e) => e.some((x) => x.event === 'timeline') && e.some((x) => x.event === 'snapshot'));
    const entry = more.find((x) => x.event === 'timeline')!.data;
    expect(entry).toMatchObject({ kind: 'breaker', subject: 'primary-gpt4', severity: 'critical' });
    expect(entry.text).toContain('isolated');

    controller.abort();
    for (let i = 0; i < 50 && gateway.ops.feed.clientCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(gateway.ops.feed.clientCount).toBe(0);
  });

  it('ends open event streams when the gateway drains, so shutdown is clean', async () => {
    gateway = await startTestGateway();
    const res = await fetch(`${gateway.url}/dashboard/events`);
    await sseReader(res).until((e) => e.some((x) => x.event === 'snapshot'));
    const started = Date.now();
    expect(await gateway.shutdown(3000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
    gateway = undefined;
  });

  it('with an admin key: sign-in form, cookie session (HttpOnly, not the key), events refused without it', async () => {
    gateway = await startTestGateway(withAdminKey());
    const login = await fetch(`${gateway.url}/dashboard`);
    expect(login.status).toBe(200);
    const form = await login.text();
    expect(form).toContain('action="/dashboard/login"');
    expect(form).not.toContain('dashboard.js');

    const refused = await fetch(`${gateway.url}/dashboard/events`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as any).error.message).toContain('Sign in');
    const clientKey = await fetch(`${gateway.url}/dashboard/events`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
    expect(clientKey.status).toBe(401);
    await clientKey.text();

    const wrong = await fetch(`${gateway.url}/dashboard/login`, { method: 'POST', body: new URLSearchParams({ key: CLIENT_KEY }), redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('not the admin key');

    const signedIn = await fetch(`${gateway.url}/dashboard/login`, { method: 'POST', body: new URLSearchParams({ key: ADMIN_KEY }), redirect: 'manual' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/dashboard');
    const cookie = signedIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^${DASHBOARD_COOKIE}=`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain(ADMIN_KEY);
    const session = cookie.split(';')[0];

    const page = await fetch(`${gateway.url}/dashboard`, { headers: { cookie: session } });
    expect(await page.text()).toContain('dashboard.js');
    const stream = await fetch(`${gateway.url}/dashboard/events`, { headers: { cookie: session } });
    expect(stream.status).toBe(200);
    const sse = sseReader(stream);
    await sse.until((e) => e.some((x) => x.event === 'snapshot'));
    await sse.reader.cancel();

    const tampered = session.slice(0, -2) + (session.endsWith('AA') ? 'BB' : 'AA');
    const bad = await fetch(`${gateway.url}/dashboard/events`, { headers: { cookie: tampered } });
    expect(bad.status).toBe(401);
    await bad.text();
  });

  it('with an admin key: ?key= signs in and redirects to the bare URL; keys without an admin key disable it', async () => {
    gateway = await startTestGateway(withAdminKey());
    const viaQuery = await fetch(`${gateway.url}/dashboard?key=${encodeURIComponent(ADMIN_KEY)}`, { redirect: 'manual' });
    expect(viaQuery.status).toBe(303);
    expect(viaQuery.headers.get('location')).toBe('/dashboard');
    expect(viaQuery.headers.get('set-cookie')).toContain(`${DASHBOARD_COOKIE}=`);
    const wrongQuery = await fetch(`${gateway.url}/dashboard?key=nope`, { redirect: 'manual' });
    expect(wrongQuery.status).toBe(401);
    await wrongQuery.text();
    await gateway.shutdown(1000);

    gateway = await startTestGateway(testConfigYaml(`
auth:
  keys: [ { tenant: acme, sha256: ${hashKey(CLIENT_KEY)} } ]
`));
    const disabled = await fetch(`${gateway.url}/dashboard`);
    expect(disabled.status).toBe(403);
    await disabled.text();
  });
});
