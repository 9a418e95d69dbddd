import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { MemoryReplicaBoard } from '../../state/replica-board.js';
import { ClusterView, totalsOf } from './cluster-view.js';
import type { ReplicaReport } from './replica-report.js';

const report = (replica: string, at: number, over: Partial<ReplicaReport> = {}): ReplicaReport => ({
  v: 1, replica, at, startedAt: 0, inFlight: 1, draining: false, generation: 1, requests: 10, failed: 1, throughputRps: 0.5,
  meanMs: 100, p99Ms: 300, tokensPerSecond: 2, routes: [], breakers: [{ id: 'primary', state: 'closed', ejected: false, drained: false }], truncated: false, ...over,
});

describe('ClusterView', () => {
  it('publishes always, reads the board only while a page is watching, and lists this replica first', async () => {
    const clock = new FakeClock(1_000_000);
    const board = new MemoryReplicaBoard(clock);
    let watched = false;
    const view = new ClusterView(board, 'b-self', () => report('b-self', clock.now()), () => watched, clock);
    await board.publish('a-other', JSON.stringify(report('a-other', clock.now(), { requests: 30, failed: 0, meanMs: 200, p99Ms: 900 })));
    await board.publish('c-damaged', '{"v":1,"replica":');
    await view.refresh();
    expect((await board.read()).map((e) => e.replica)).toContain('b-self');
    expect(view.snapshot(clock.now())).toMatchObject({ readAt: null, replicas: [] });

    watched = true;
    await clock.advance(500);
    await view.refresh();
    const snap = view.snapshot(clock.now() + 250);
    expect(snap.replicas.map((r) => [r.replica, r.self])).toEqual([['b-self', true], ['a-other', false]]);
    expect(snap.replicas[1]!.ageMs).toBe(750);
    expect(snap.total).toMatchObject({ replicas: 2, requests: 40, failed: 1, errorRate: 1 / 40, inFlight: 2, meanMs: (10 * 100 + 30 * 200) / 40, p99Ms: 900 });
  });

  it('publishes every interval on its clock until closed', async () => {
    const clock = new FakeClock(0);
    const board = new MemoryReplicaBoard(clock);
    let built = 0;
    const view = new ClusterView(board, 'self', () => report('self', clock.now(), { requests: ++built }), () => false, clock, { intervalMs: 1000 });
    view.start();
    await clock.advance(3000);
    expect(built).toBe(4);
    view.close();
    await clock.advance(3000);
    expect(built).toBe(4);
  });
});

describe('totalsOf', () => {
  it('counts, per deployment, the replicas whose breaker is not closed or that drained or ejected it', () => {
    const total = totalsOf([
      report('a', 0, { breakers: [{ id: 'primary', state: 'open', ejected: false, drained: false }, { id: 'second', state: 'closed', ejected: true, drained: false }] }),
      report('b', 0, { breakers: [{ id: 'primary', state: 'open', ejected: false, drained: true }] }),
      report('c', 0, { requests: 0, failed: 0, meanMs: null, p99Ms: null }),
    ]);
    expect(total.breakers).toEqual({ primary: { open: 2, drained: 1 }, second: { ejected: 1 } });
    expect(total.meanMs).toBe(100);
    expect(totalsOf([]).errorRate).toBeNull();
  });
});
