import { describe, expect, it } from 'vitest';
import { drillPlan } from './plan.js';
import { startRealTarget } from './real-target.js';
import type { DrillAnswer } from './target.js';

describe('replica-kill on real time (3 bulwark serve processes behind the local TCP balancer)', () => {
  it('SIGKILLs one replica under load and starts it again: clients that retry connection failures lose nothing', async () => {
    const target = await startRealTarget({ timings: drillPlan(20_000, 10).timings, replicas: 3 });
    try {
      const answers: Array<Promise<DrillAnswer>> = [];
      let kill: Promise<void> | undefined;
      // 150 requests at 50 per second; the kill comes after one second, while requests run.
      for (let i = 0; i < 150; i++) {
        answers.push(target.send(i, false, AbortSignal.timeout(15_000)));
        if (i === 50) kill = target.killReplica();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await kill;
      const done = await Promise.all(answers);
      const lost = done.filter((a) => a.step === 'lost');
      expect(lost, JSON.stringify(lost.slice(0, 3))).toEqual([]);
      expect(done.filter((a) => a.step === 'error')).toEqual([]);
      // The restarted replica serves again.
      expect((await target.send(1_000, false, AbortSignal.timeout(15_000))).status).toBe(200);
    } finally {
      await target.close();
    }
  }, 120_000);
});
