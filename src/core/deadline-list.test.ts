import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlineList, DeadlineNode } from './deadline-list.js';
import { FakeClock } from './fake-clock.js';

class Entry extends DeadlineNode {
  firedAt: number | undefined = undefined;
  constructor(
    readonly clock: FakeClock,
    readonly log: Entry[],
  ) {
    super();
  }
  expire(): void {
    this.firedAt = this.clock.now();
    this.log.push(this);
  }
}

describe('DeadlineList', () => {
  it('fires every surviving entry exactly at its deadline, in order, never a removed one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 20 }), delayMs: fc.integer({ min: 0, max: 100 }), remove: fc.boolean() }), { maxLength: 40 }),
        async (ops) => {
          const clock = new FakeClock();
          const list = new DeadlineList(clock);
          const fired: Entry[] = [];
          const all: Array<{ entry: Entry; due: number; removed: boolean }> = [];
          for (const op of ops) {
            await clock.advance(op.gapMs);
            const entry = new Entry(clock, fired);
            list.add(entry, op.delayMs);
            all.push({ entry, due: clock.now() + op.delayMs, removed: false });
            if (op.remove) {
              // Remove an earlier entry that has not fired yet.
              const target = all.find((x) => !x.removed && x.entry.firedAt === undefined);
              if (target) {
                list.remove(target.entry);
                target.removed = true;
              }
            }
          }
          await clock.advance(200);
          for (const x of all) {
            if (x.removed && x.entry.firedAt === undefined) continue;
            expect(x.entry.firedAt).toBe(x.due);
          }
          const firedDue = fired.map((e) => e.firedAt!);
          expect(firedDue).toEqual([...firedDue].sort((a, b) => a - b));
          expect(list.size).toBe(0);
          expect(clock.pendingTimers).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('uses one clock timer however many entries wait', () => {
    const clock = new FakeClock();
    const list = new DeadlineList(clock);
    for (let i = 0; i < 1000; i++) list.add(new Entry(clock, []), 5000);
    expect(list.size).toBe(1000);
    expect(clock.pendingTimers).toBe(1);
  });

  it('on the system clock, a pending timeout never keeps the process alive', () => {
    const script = `
      import { timeout } from './src/core/timeout.ts';
      timeout({ timeoutMs: 60_000 }).execute(() => new Promise(() => {})).catch(() => {});
      console.log('started');
    `;
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 30_000 });
    expect(child.stdout).toContain('started');
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 40_000);
});
