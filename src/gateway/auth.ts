import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The sha256 hex digest of a key, as written in `auth.keys[].sha256` and `auth.adminKeySha256`. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A gateway key as the server holds it: the digest (never the key) and what it grants. */
export interface KeyGrant {
  tenant: string;
  priority: 'low' | 'normal' | 'high';
  /** Requests per minute for this key, when limited. */
  rpm?: number;
  /** Position in `auth.keys` (stable id for per-key limiters). */
  index: number;
}

/** The key a client presented: `Authorization: Bearer KEY` (OpenAI SDKs) or `x-api-key: KEY` (Anthropic SDKs). */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey;
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') {
    return authorization.slice(7).trim();
  }
  return undefined;
}

/**
 * Checks presented keys against configured sha256 digests. The presented key is hashed (so its
 * length does not matter) and compared with *every* digest in constant time, without an early
 * exit, so response timing says nothing about which digest came close.
 */
export class KeyStore {
  private readonly digests: Buffer[];
  private readonly grants: KeyGrant[];
  private readonly adminDigest: Buffer | undefined;

  constructor(keys: ReadonlyArray<{ tenant: string; sha256: string; rpm?: number; priority: 'low' | 'normal' | 'high' }>, adminKeySha256?: string) {
    this.digests = keys.map((k) => Buffer.from(k.sha256, 'hex'));
    this.grants = keys.map((k, index) => Object.freeze({ tenant: k.tenant, priority: k.priority, rpm: k.rpm, index }));
    this.adminDigest = adminKeySha256 ? Buffer.from(adminKeySha256, 'hex') : undefined;
  }

  /** True when gateway keys are configured (clients must present one). */
  get required(): boolean {
    return this.digests.length > 0;
  }

  /** True when an admin key is configured. */
  get hasAdminKey(): boolean {
    return this.adminDigest !== undefined;
  }

  /** The grant of a presented key, or undefined when it matches none. */
  authenticate(key: string | undefined): KeyGrant | undefined {
    if (key === undefined) return undefined;
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let found = -1;
    for (let i = 0; i < this.digests.length; i++) {
      if (timingSafeEqual(digest, this.digests[i]) && found === -1) found = i;
    }
    return found === -1 ? undefined : this.grants[found];
  }

  /** True when `key` is the admin key. */
  isAdmin(key: string | undefined): boolean {
    if (key === undefined || this.adminDigest === undefined) return false;
    return timingSafeEqual(createHash('sha256').update(key, 'utf8').digest(), this.adminDigest);
  }
}
