import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../../core/clock.js';

/** Name of the dashboard's session cookie (HttpOnly, SameSite=Strict, Path=/dashboard). */
export const DASHBOARD_COOKIE = 'bulwark_dashboard';
/** A dashboard sign-in lasts 12 hours. */
export const DEFAULT_DASHBOARD_SESSION_MS = 12 * 60 * 60_000;

/**
 * Dashboard sign-ins when an admin key is configured. The browser exchanges the admin key once
 * (sign-in form, or `?key=` for scripts) for a cookie holding an expiry and an HMAC over it and
 * the admin key's digest — never the key itself. The HMAC secret is random per process and the
 * digest is part of the MAC, so a restart or an admin-key rotation ends every session. Stateless:
 * nothing is stored per session.
 */
export class DashboardSessions {
  private readonly secret = randomBytes(32);

  constructor(private readonly clock: Clock, private readonly ttlMs = DEFAULT_DASHBOARD_SESSION_MS) {}

  /** A `Set-Cookie` value for a new session bound to `adminDigest` (the admin key's sha256 hex). */
  issue(adminDigest: string): string {
    const expires = this.clock.now() + this.ttlMs;
    const value = `${expires}.${this.mac(expires, adminDigest)}`;
    return `${DASHBOARD_COOKIE}=${value}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(this.ttlMs / 1000)}`;
  }

  /** True when the request carries an unexpired session for `adminDigest`. */
  valid(headers: IncomingHttpHeaders, adminDigest: string): boolean {
    const value = cookieValue(headers.cookie, DASHBOARD_COOKIE);
    if (value === undefined) return false;
    const dot = value.indexOf('.');
    if (dot <= 0) return false;
    const expires = Number(value.slice(0, dot));
    if (!Number.isSafeInteger(expires) || expires <= this.clock.now()) return false;
    const presented = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.mac(expires, adminDigest));
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }

  private mac(expires: number, adminDigest: string): string {
    return createHmac('sha256', this.secret).update(`${expires}.${adminDigest}`).digest('base64url');
  }
}

/** The value of cookie `name` in a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
