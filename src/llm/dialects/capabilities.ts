/**
 * What a request asks of the API that answers it, in words both dialects share. Each dialect
 * declares a capability table (the features a request translated INTO it can carry) and lists
 * the features one of its own requests uses, each with the client's field path. A translation
 * that would lose a feature names the paths instead: the route refuses (skipping that
 * deployment; a 400 naming the field when none can carry it) or drops them and says so in
 * `x-bulwark-dropped`. A field a dialect does not know is the feature `unknown`: never carried.
 */

/** One thing a request can ask for. */
export type Feature =
  // Both APIs carry these (translated).
  | 'text' | 'system' | 'image' | 'pdf' | 'tools' | 'tool-choice' | 'tool-results' | 'max-tokens' | 'temperature' | 'top-p'
  | 'stop-sequences' | 'stream' | 'end-user' | 'structured-output' | 'reasoning' | 'parallel-tool-calls' | 'prompt-caching'
  // One API only.
  | 'several-choices' | 'logprobs' | 'frequency-penalty' | 'presence-penalty' | 'logit-bias' | 'seed' | 'strict-tools'
  | 'message-name' | 'image-detail' | 'audio' | 'files-by-id' | 'prediction' | 'verbosity' | 'stored-completion'
  | 'request-metadata' | 'prompt-cache-key' | 'service-tier' | 'web-search' | 'top-k' | 'server-tools' | 'citations'
  | 'thinking-history' | 'document-source' | 'tool-result-media' | 'mcp' | 'container' | 'redacted-thinking'
  | 'unknown';

/** A feature one request uses, and where (the client's field path). */
export interface FeatureUse {
  readonly feature: Feature;
  readonly path: string;
}

/** The features a request translated into an API can carry. */
export interface CapabilityTable {
  readonly api: string;
  readonly carries: ReadonlySet<Feature>;
}

/** Features both wire APIs carry through the translation. */
export const SHARED_FEATURES: readonly Feature[] = Object.freeze([
  'text', 'system', 'image', 'pdf', 'tools', 'tool-choice', 'tool-results', 'max-tokens', 'temperature', 'top-p',
  'stop-sequences', 'stream', 'end-user', 'structured-output', 'reasoning', 'parallel-tool-calls', 'prompt-caching',
] as Feature[]);

/** What the canonical model carries: every translation, and a stream continued on another deployment. */
export const CANONICAL_CAPABILITIES: CapabilityTable = Object.freeze({ api: 'the canonical chat model', carries: new Set(SHARED_FEATURES) });

/** The paths of `uses` whose feature `table` cannot carry (in request order, each once). */
export function uncarried(uses: readonly FeatureUse[], table: CapabilityTable): string[] {
  const paths: string[] = [];
  for (const use of uses) if (!table.carries.has(use.feature) && !paths.includes(use.path)) paths.push(use.path);
  return paths;
}

/** Collects feature uses while a dialect walks a request. */
export class FeatureList {
  readonly uses: FeatureUse[] = [];

  add(feature: Feature, path: string): void {
    this.uses.push({ feature, path });
  }

  /** Every key of `object` not in `known` is an unknown feature at `path.key`. */
  unknownKeys(object: Record<string, unknown>, known: ReadonlySet<string>, path: string): void {
    for (const key of Object.keys(object)) if (!known.has(key)) this.add('unknown', path === '' ? key : `${path}.${key}`);
  }
}

/**
 * `body` without the members at `paths` (dotted paths with `[i]` indexes, as {@link FeatureUse}
 * names them): a copy, the original is untouched. An array element is removed, not nulled.
 */
export function withoutPaths(body: unknown, paths: readonly string[]): unknown {
  const copy = structuredClone(body);
  // Deepest and last elements first, so earlier indexes stay valid.
  const parsed = paths.map(parsePath).sort((a, b) => comparePaths(b, a));
  for (const steps of parsed) {
    let node: unknown = copy;
    for (let i = 0; i < steps.length - 1 && node !== undefined && node !== null; i++) node = (node as Record<string | number, unknown>)[steps[i]];
    const last = steps[steps.length - 1];
    if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
    else if (node !== null && typeof node === 'object') delete (node as Record<string, unknown>)[last as string];
  }
  return copy;
}

function parsePath(path: string): Array<string | number> {
  const steps: Array<string | number> = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) steps.push(match[2] !== undefined ? Number(match[2]) : match[1]);
  return steps;
}

function comparePaths(a: Array<string | number>, b: Array<string | number>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (typeof a[i] === 'number' && typeof b[i] === 'number') return (a[i] as number) - (b[i] as number);
    return String(a[i]).localeCompare(String(b[i]));
  }
  return a.length - b.length;
}
