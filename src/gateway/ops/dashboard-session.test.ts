import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { cookieValue, DASHBOARD_COOKIE, DashboardSessions, DEFAULT_DASHBOARD_SESSION_MS } from './dashboard-session.js';

const DIGEST = 'a'.repeat(64);
const headersOf = (setCookie: string) => ({ cookie: `other=1; ${setCookie.split(';')[0]}` });

describe('DashboardSessions', () => {
  it('pins its defaults', () => {
    expect(DASHBOARD_COOKIE).toBe('bulwark_dashboard');
    expect(DEFAULT_DASHBOARD_SESSION_MS).toBe(12 * 3_600_000);
  });

  it('accepts its own cookie until it expires', async () => {
    const clock = new FakeClock();
    const sessions = new DashboardSessions(clock, 60_000);
    const setCookie = sessions.issue(DIGEST);
    expect(setCookie).toMatch(/^bulwark_dashboard=\d+\.[\w-]+; Path=\/dashboard; HttpOnly; SameSite=Strict; Max-Age=60$/);
    expect(sessions.valid(headersOf(setCookie), DIGEST)).toBe(true);
    await clock.advance(59_999);
    expect(sessions.valid(headersOf(setCookie), DIGEST)).toBe(true);
    await clock.advance(1);
    expect(sessions.valid(headersOf(setCookie), DIGEST)).toBe(false);
  });

  it('rejects another admin key, another process, a moved expiry and garbage', () => {
    const clock = new FakeClock();
    const sessions = new DashboardSessions(clock);
    const setCookie = sessions.issue(DIGEST);
    expect(sessions.valid(headersOf(setCookie), 'b'.repeat(64))).toBe(false);
    expect(new DashboardSessions(clock).valid(headersOf(setCookie), DIGEST)).toBe(false);
    const [expires, mac] = cookieValue(headersOf(setCookie).cookie, DASHBOARD_COOKIE)!.split('.');
    expect(sessions.valid({ cookie: `${DASHBOARD_COOKIE}=${Number(expires) + 1000}.${mac}` }, DIGEST)).toBe(false);
    for (const cookie of [undefined, '', `${DASHBOARD_COOKIE}=`, `${DASHBOARD_COOKIE}=x.y`, `${DASHBOARD_COOKIE}=.${mac}`]) {
      expect(sessions.valid({ cookie }, DIGEST)).toBe(false);
    }
  });
});
