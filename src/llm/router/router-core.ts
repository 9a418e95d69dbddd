import type { Clock } from '../../core/clock.js';
import type { DeadlineList } from '../../core/deadline-list.js';
import type { EventEmitter } from '../../core/events.js';
import type { ChatResponse, ServedInfo, Usage } from '../types.js';
import type { AttemptEvent } from '../router-events.js';
import type { ResponseCache } from './cache/response-cache.js';
import type { ResolvedRoute } from './resolved-route.js';
import type { RequestTrace } from '../tracing/request-trace.js';

/** How a finished request went, for its RequestEvent. */
export interface RequestOutcome {
  readonly served: ServedInfo;
  readonly group: string | undefined;
  readonly cacheHit: boolean;
  readonly usage: Usage | undefined;
  /** The answer as the canonical model reads it, for the request's trace (read only when it records). */
  readonly response?: () => ChatResponse | undefined;
}

/** What the chain walk, step and stream code share with the router that runs them. */
export interface RouterCore {
  readonly clock: Clock;
  readonly cache: ResponseCache;
  readonly attemptEvents: EventEmitter<AttemptEvent>;
  /** The routes' total timeouts of the requests in flight (one timer for all of them). */
  readonly runDeadlines: DeadlineList;
  /** Emits the RequestEvent of a finished request (`outcome` when answered, else the `error` it failed with) and ends its trace. */
  reportRequest(route: ResolvedRoute, tenant: string, started: number, outcome: RequestOutcome | undefined, error: unknown, stream: boolean, ttftMs?: number, trace?: RequestTrace, requestId?: string): void;
}
