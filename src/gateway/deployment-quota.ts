import { RateLimitedError } from '../core/errors.js';
import type { ExecuteContext, Operation, RunnablePolicy } from '../core/policy.js';
import type { SlidingWindowLimiter } from '../state/rate-limit/sliding-window-limiter.js';
import type { ChatResponse } from '../llm/types.js';
import type { OpenedStream } from '../llm/router/router-deps.js';

const MINUTE_MS = 60_000;

/** A deployment's global quotas (`modelGroups.*.deployments[].rpm` / `tpm`). */
export interface DeploymentQuotaLimits {
  rpm?: number;
  tpm?: number;
}

/**
 * A deployment's RPM and TPM, enforced across every replica through the shared
 * {@link SlidingWindowLimiter} (keys `deployment:<id>:rpm` / `:tpm`, one-minute sliding window).
 * RPM: each call takes one unit first. TPM: a call is refused while the last minute's tokens
 * reached the limit, and an answer's tokens are recorded when it arrives (they are known only
 * then; a stream's when it has ended). A refusal is a
 * RateLimitedError: the router moves on to another deployment without sending anything.
 *
 * @example deploymentPolicies: ({ id, config }) => [new DeploymentQuota(id, config, state.limiter)]
 */
export class DeploymentQuota implements RunnablePolicy {
  private readonly rpmKey: string;
  private readonly tpmKey: string;

  constructor(id: string, private readonly limits: DeploymentQuotaLimits, private readonly limiter: SlidingWindowLimiter) {
    this.rpmKey = `deployment:${id}:rpm`;
    this.tpmKey = `deployment:${id}:tpm`;
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
    return this.run(operation, { signal: signal ?? new AbortController().signal, attempt: 1 });
  }

  private recordTokens(tokens: number | undefined): void {
    if (tokens !== undefined && tokens > 0) void this.limiter.record(this.tpmKey, Math.round(tokens), MINUTE_MS).catch(() => {});
  }

  async run<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    const { rpm, tpm } = this.limits;
    if (tpm !== undefined) {
      const used = await this.limiter.used(this.tpmKey, MINUTE_MS);
      if (used >= tpm) throw new RateLimitedError(MINUTE_MS / 4, `deployment TPM ${tpm} reached`);
    }
    if (rpm !== undefined) {
      const decision = await this.limiter.take(this.rpmKey, 1, rpm, MINUTE_MS);
      if (!decision.allowed) throw new RateLimitedError(decision.retryAfterMs, `deployment RPM ${rpm} reached`);
    }
    const result = await operation(context);
    if (tpm !== undefined) {
      const stream = result as Partial<OpenedStream> | undefined;
      if (stream?.ended instanceof Promise) {
        void stream.ended.then(() => this.recordTokens(stream.tokensUsed));
      } else {
        const usage = (result as Partial<ChatResponse> | undefined)?.usage;
        this.recordTokens(usage ? usage.inputTokens + usage.outputTokens : undefined);
      }
    }
    return result;
  }
}
