import { UPTIME_MAX_TRANSITIONS } from './defaults.js';

interface Timeline {
  firstSeen: number;
  up: boolean;
  times: Float64Array;
  states: Uint8Array;
  /** Index of the next write; entries [head - size, head) are valid (mod capacity). */
  head: number;
  size: number;
}

/**
 * Uptime per deployment from its health state over time (up = breaker not open, not ejected,
 * last probe passing). Remembers the last {@link UPTIME_MAX_TRANSITIONS} transitions per
 * deployment (bounded); a read integrates the up time over the window. A deployment is
 * measured from the first time it was seen, so a fresh gateway does not report phantom downtime.
 *
 * @example uptime.set('a', false, now); uptime.percent('a', now, 3_600_000);
 */
export class UptimeTracker {
  private readonly timelines = new Map<string, Timeline>();

  constructor(private readonly capacity = UPTIME_MAX_TRANSITIONS) {}

  /** Marks `deployment` first seen at `at` (up) if it is new. */
  touch(deployment: string, at: number): void {
    if (!this.timelines.has(deployment)) this.timelines.set(deployment, this.newTimeline(at, true));
  }

  /** Records the deployment's state at `at` (no-op when unchanged). */
  set(deployment: string, up: boolean, at: number): void {
    let timeline = this.timelines.get(deployment);
    if (!timeline) {
      timeline = this.newTimeline(at, up);
      this.timelines.set(deployment, timeline);
      if (up) return;
    } else if (timeline.up === up) return;
    timeline.up = up;
    timeline.times[timeline.head] = at;
    timeline.states[timeline.head] = up ? 1 : 0;
    timeline.head = (timeline.head + 1) % this.capacity;
    if (timeline.size < this.capacity) timeline.size++;
  }

  /** Percent of the last `windowMs` (clipped to when the deployment was first seen) it was up; null if never seen. */
  percent(deployment: string, now: number, windowMs: number): number | null {
    const timeline = this.timelines.get(deployment);
    if (!timeline) return null;
    const start = Math.max(now - windowMs, timeline.firstSeen);
    const observed = now - start;
    if (observed <= 0) return timeline.up ? 100 : 0;
    let downMs = 0;
    let segmentEnd = now;
    let stateBefore = true;
    for (let i = 1; i <= timeline.size; i++) {
      const index = (timeline.head - i + this.capacity) % this.capacity;
      const at = timeline.times[index];
      const up = timeline.states[index] === 1;
      const segmentStart = Math.max(at, start);
      if (!up && segmentEnd > segmentStart) downMs += segmentEnd - segmentStart;
      stateBefore = !up;
      segmentEnd = at;
      if (at <= start) break;
    }
    // Time before the oldest remembered transition inside the window: the state it left.
    if (segmentEnd > start && !stateBefore) downMs += segmentEnd - start;
    return ((observed - downMs) / observed) * 100;
  }

  /** Deployments seen so far. */
  deployments(): IterableIterator<string> {
    return this.timelines.keys();
  }

  private newTimeline(at: number, up: boolean): Timeline {
    return {
      firstSeen: at,
      up,
      times: new Float64Array(this.capacity),
      states: new Uint8Array(this.capacity),
      head: 0,
      size: 0,
    };
  }
}
