import type { Clock } from '../../core/clock.js';
import type { EventEmitter } from '../../core/events.js';
import type { AttemptEvent } from '../router-events.js';
import type { ResponseCache } from './cache/response-cache.js';

/** What the chain, step and stream code share with the router that runs them. */
export interface RouterCore {
  readonly clock: Clock;
  readonly cache: ResponseCache;
  readonly attemptEvents: EventEmitter<AttemptEvent>;
}
