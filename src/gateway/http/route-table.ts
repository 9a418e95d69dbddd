import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from './request-context.js';

/** Who may call an endpoint: anyone, holders of a gateway key, or the admin key only. */
export type RouteAuth = 'none' | 'client' | 'admin';

/** Handles one request. May return a promise; a rejection becomes an error answer. */
export type RouteHandler = (context: RequestContext, req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** One endpoint. `dialect` chooses the error format for failures before the handler runs. */
export interface RouteDefinition {
  method: string;
  /** Exact path, or a prefix ending in `/*` (e.g. `/admin/*`). */
  path: string;
  auth: RouteAuth;
  handler: RouteHandler;
  dialect?: 'openai' | 'anthropic';
}

/** What a lookup found. */
export type RouteMatch =
  | { kind: 'found'; route: RouteDefinition }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

/**
 * The gateway's endpoints: exact paths in a map (one lookup per request), prefixes checked in
 * the order they were added. Later engineers add `/health`, `/metrics`, `/admin/*`, `/dashboard`
 * with {@link RouteTable.add}, without touching the server.
 */
export class RouteTable {
  private readonly exact = new Map<string, Map<string, RouteDefinition>>();
  private readonly prefixes: Array<{ prefix: string; methods: Map<string, RouteDefinition> }> = [];

  /**
   * Adds an endpoint; throws if the same method and path exist already, unless `replace` is set
   * (e.g. ops replaces the minimal `/readyz` with its full version).
   */
  add(route: RouteDefinition, options: { replace?: boolean } = {}): void {
    let methods: Map<string, RouteDefinition> | undefined;
    if (route.path.endsWith('/*')) {
      const prefix = route.path.slice(0, -1);
      methods = this.prefixes.find((p) => p.prefix === prefix)?.methods;
      if (!methods) {
        methods = new Map();
        this.prefixes.push({ prefix, methods });
      }
    } else {
      methods = this.exact.get(route.path);
      if (!methods) {
        methods = new Map();
        this.exact.set(route.path, methods);
      }
    }
    const method = route.method.toUpperCase();
    if (methods.has(method) && !options.replace) throw new Error(`route ${method} ${route.path} is defined twice`);
    methods.set(method, route);
    if (method === 'GET' && (options.replace || !methods.has('HEAD'))) methods.set('HEAD', route);
  }

  /** Finds the endpoint for `method` and `path` (path without the query string). */
  match(method: string, path: string): RouteMatch {
    let methods = this.exact.get(path);
    if (!methods) {
      for (let i = 0; i < this.prefixes.length; i++) {
        if (path.startsWith(this.prefixes[i].prefix)) {
          methods = this.prefixes[i].methods;
          break;
        }
      }
    }
    if (!methods) return NOT_FOUND;
    const route = methods.get(method);
    if (route) return { kind: 'found', route };
    return { kind: 'method-not-allowed', allowed: [...methods.keys()] };
  }

  /** Every endpoint, for docs and tests. */
  list(): Array<{ method: string; path: string; auth: RouteAuth }> {
    const out: Array<{ method: string; path: string; auth: RouteAuth }> = [];
    for (const [path, methods] of this.exact) for (const [method, r] of methods) out.push({ method, path, auth: r.auth });
    for (const { prefix, methods } of this.prefixes) for (const [method, r] of methods) out.push({ method, path: `${prefix}*`, auth: r.auth });
    return out;
  }
}

const NOT_FOUND: RouteMatch = Object.freeze({ kind: 'not-found' });
