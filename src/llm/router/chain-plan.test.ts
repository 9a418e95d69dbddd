import { describe, expect, it } from 'vitest';
import { ChainPlan } from './chain-plan.js';
import type { ModelGroup } from './model-group.js';
import type { ResolvedRoute } from './resolved-route.js';

const group = (name: string) => ({ name }) as ModelGroup;
const route = (extra: Partial<ResolvedRoute> = {}) =>
  ({ chain: [group('a'), group('b'), group('c')], contextWindowFallbacks: [], contentPolicyFallbacks: [], ...extra }) as ResolvedRoute;

const walk = (plan: ChainPlan, redirectAt?: number, kind: 'context_length_exceeded' | 'content_filtered' = 'context_length_exceeded') => {
  const seen: string[] = [];
  for (let step = plan.next(); step; step = plan.next()) {
    seen.push(`${step.depth}:${step.group.name}`);
    if (step.depth === redirectAt) plan.redirect(kind);
  }
  return seen;
};

describe('ChainPlan', () => {
  it('walks the chain in order; the cache answers at its length', () => {
    const plan = new ChainPlan(route());
    expect(walk(plan)).toEqual(['0:a', '1:b', '2:c']);
    expect(plan.length).toBe(3);
  });

  it('replaces the rest of the walk with the context-window fallbacks, numbering on', () => {
    const plan = new ChainPlan(route({ contextWindowFallbacks: [group('big'), group('huge')] }));
    expect(walk(plan, 0)).toEqual(['0:a', '1:big', '2:huge']);
    expect(plan.length).toBe(3);
  });

  it('uses the content-policy fallbacks for content_filtered', () => {
    const plan = new ChainPlan(route({ contentPolicyFallbacks: [group('lenient')] }));
    expect(walk(plan, 1, 'content_filtered')).toEqual(['0:a', '1:b', '2:lenient']);
  });

  it('goes on with the chain when the route has no fallbacks of that kind, and redirects once per kind', () => {
    expect(walk(new ChainPlan(route()), 0)).toEqual(['0:a', '1:b', '2:c']);
    const plan = new ChainPlan(route({ contextWindowFallbacks: [group('big')] }));
    const seen: string[] = [];
    for (let step = plan.next(); step; step = plan.next()) {
      seen.push(step.group.name);
      plan.redirect('context_length_exceeded'); // every step overflows: only the first redirect applies
    }
    expect(seen).toEqual(['a', 'big']);
  });
});
