import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../core/clock.js';
import { RateLimitedError } from '../core/errors.js';
import type { RequestEvent } from '../llm/router-events.js';
import type { ConcurrencyLeases } from '../state/quota/concurrency-leases.js';
import { msUntilWindowEnds, type WindowCounter } from '../state/quota/window-counter.js';
import type { SlidingWindowLimiter } from '../state/rate-limit/sliding-window-limiter.js';
import type { TenantQuotaConfig } from './config/tenant-quota-schema.js';
import type { RequestContext } from './http/request-context.js';

/** A concurrency lease lives this long after its last renewal (a crashed replica's slots come back after it). */
export const TENANT_LEASE_MS = 30_000;
/** Leases of requests still running are renewed this often. */
export const TENANT_LEASE_RENEW_MS = 10_000;
/** `Retry-After` of a request refused for its tenant's concurrency (a slot frees when any request ends). */
export const TENANT_CONCURRENCY_RETRY_MS = 1_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The shared stores the quotas are counted in (the gateway's {@link SharedState}). */
export interface TenantQuotaStores {
  leases: ConcurrencyLeases;
  limiter: SlidingWindowLimiter;
  windowCounter: WindowCounter;
}

interface Quota extends TenantQuotaConfig {
  leaseKey: string;
  tpmKey: string;
  dayKey: string;
  /** Holders of this replica's leases still running (renewed together). */
  held: Set<string>;
}

/**
 * Per-tenant quotas (`tenants:`): concurrency, tokens per sliding minute and tokens per UTC day,
 * counted across replicas in the shared state. {@link admit} runs after authentication, before
 * the body is read; a tenant without quotas returns `undefined` at once (no promise, no I/O).
 * Tokens are counted from the router's request events (`record`), when an answer — a stream's
 * at its end — says what it used, so calls in flight can overshoot a token budget by what they use.
 * A refusal is a {@link RateLimitedError} (429 + `Retry-After` in the request's API format)
 * with `context.refusal = 'tenant_quota'`.
 *
 * @example const pending = quotas.admit(context); if (pending) await pending; // throws when over quota
 */
export class TenantQuotas {
  private readonly quotas = new Map<string, Quota>();
  private readonly origin = randomBytes(6).toString('hex');
  private counter = 0;
  private renewTimer: TimerHandle | undefined;
  private heldCount = 0;

  constructor(config: Readonly<Record<string, TenantQuotaConfig>>, private readonly stores: TenantQuotaStores, private readonly clock: Clock) {
    for (const [tenant, quota] of Object.entries(config)) {
      if (quota.maxConcurrent === undefined && quota.tpm === undefined && quota.tokensPerDay === undefined) continue;
      this.quotas.set(tenant, {
        ...quota, leaseKey: `tenant:${tenant}:concurrency`, tpmKey: `tenant:${tenant}:tpm`, dayKey: `tenant:${tenant}:tokens-per-day`, held: new Set(),
      });
    }
  }

  /** True when at least one tenant has a quota. */
  get active(): boolean {
    return this.quotas.size > 0;
  }

  /** Undefined when the tenant has no quota; else resolves when admitted (the lease is in `context`) or rejects with a 429. */
  admit(context: RequestContext): Promise<void> | undefined {
    const quota = this.quotas.get(context.tenant);
    return quota === undefined ? undefined : this.check(context, quota);
  }

  /** Gives back the concurrency slot `context` holds (when the request ends). */
  release(context: RequestContext): void {
    const holder = context.quotaHolder;
    const quota = this.quotas.get(context.tenant);
    context.quotaHolder = undefined;
    if (holder === undefined || quota === undefined || !quota.held.delete(holder)) return;
    this.heldCount--;
    if (this.heldCount === 0 && this.renewTimer !== undefined) {
      this.clock.clearTimeout(this.renewTimer);
      this.renewTimer = undefined;
    }
    void this.stores.leases.release(quota.leaseKey, holder);
  }

  /** Counts what a finished request used against its tenant's token budgets (router `onRequest`). */
  record(e: RequestEvent): void {
    const quota = this.quotas.get(e.tenant);
    if (quota === undefined) return;
    const tokens = e.inputTokens + e.outputTokens;
    if (tokens <= 0) return;
    if (quota.tpm !== undefined) void this.stores.limiter.record(quota.tpmKey, tokens, MINUTE_MS);
    if (quota.tokensPerDay !== undefined) void this.stores.windowCounter.add(quota.dayKey, tokens, DAY_MS);
  }

  private async check(context: RequestContext, quota: Quota): Promise<void> {
    const tenant = context.tenant;
    if (quota.tokensPerDay !== undefined && (await this.stores.windowCounter.used(quota.dayKey, DAY_MS)) >= quota.tokensPerDay) {
      throw this.refuse(context, msUntilWindowEnds(this.clock.now(), DAY_MS), `Tenant ${tenant} used its ${quota.tokensPerDay} tokens for today (UTC)`);
    }
    if (quota.tpm !== undefined) {
      // A take of 0 against tpm - 1 refuses exactly when the last minute reached the budget, and says when it will not.
      const decision = await this.stores.limiter.take(quota.tpmKey, 0, quota.tpm - 1, MINUTE_MS);
      if (!decision.allowed) throw this.refuse(context, decision.retryAfterMs, `Tenant ${tenant} reached its ${quota.tpm} tokens per minute`);
    }
    if (quota.maxConcurrent !== undefined) {
      const holder = `${this.origin}:${++this.counter}`;
      if (!(await this.stores.leases.acquire(quota.leaseKey, holder, quota.maxConcurrent, TENANT_LEASE_MS))) {
        throw this.refuse(context, TENANT_CONCURRENCY_RETRY_MS, `Tenant ${tenant} has ${quota.maxConcurrent} requests running, its concurrency quota`);
      }
      context.quotaHolder = holder;
      context.quotas = this;
      quota.held.add(holder);
      if (this.heldCount++ === 0) this.scheduleRenewal();
    }
  }

  private refuse(context: RequestContext, retryAfterMs: number, message: string): RateLimitedError {
    context.refusal = 'tenant_quota';
    return new RateLimitedError(Math.max(1, retryAfterMs), message);
  }

  private scheduleRenewal(): void {
    this.renewTimer = this.clock.setTimeout(() => {
      this.renewTimer = undefined;
      for (const quota of this.quotas.values()) {
        if (quota.held.size > 0) void this.stores.leases.renew(quota.leaseKey, [...quota.held], TENANT_LEASE_MS);
      }
      if (this.heldCount > 0) this.scheduleRenewal();
    }, TENANT_LEASE_RENEW_MS);
  }
}
