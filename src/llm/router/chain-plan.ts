import type { ModelGroup } from './model-group.js';
import type { ResolvedRoute } from './resolved-route.js';

/** One model step of the chain: the group to ask and the step's index (its fallback depth). */
export interface ChainStep {
  group: ModelGroup;
  depth: number;
}

/**
 * The model steps one request walks: the route's chain in order; after a
 * `context_length_exceeded` (or `content_filtered`) the remaining steps are replaced, once, by
 * the route's `contextWindowFallbacks` (or `contentPolicyFallbacks`) when it has any. Depths
 * count the steps actually planned, so cache answers at depth `length` and the default at
 * `length + 1` (with no redirection: the chain's length and length + 1).
 */
export class ChainPlan {
  private steps: readonly ModelGroup[];
  private index = 0;
  private redirected = new Set<'context_length_exceeded' | 'content_filtered'>();

  constructor(private readonly route: ResolvedRoute) {
    this.steps = route.chain;
  }

  next(): ChainStep | undefined {
    if (this.index >= this.steps.length) return undefined;
    const depth = this.index++;
    return { group: this.steps[depth], depth };
  }

  /** Model steps planned so far (the depth at which the cache answers). */
  get length(): number {
    return this.steps.length;
  }

  /** Switches the rest of the walk to the route's special fallbacks for `kind` (once per kind; a no-op without any). */
  redirect(kind: 'context_length_exceeded' | 'content_filtered'): void {
    if (this.redirected.has(kind)) return;
    this.redirected.add(kind);
    const groups = kind === 'context_length_exceeded' ? this.route.contextWindowFallbacks : this.route.contentPolicyFallbacks;
    if (groups.length === 0) return;
    this.steps = [...this.steps.slice(0, this.index), ...groups];
  }
}
