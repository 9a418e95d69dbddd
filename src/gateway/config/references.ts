import { MockProfileError, parseMockProfile } from '../../chaos/mock/profile.js';
import type { ConfigProblem } from './problems.js';
import { formatPath } from './problems.js';

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const known = (names: string[]) => (names.length ? `known: ${names.join(', ')}` : 'none are defined');
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/**
 * Checks what a schema cannot: names that refer to other sections (providers, model groups,
 * mocks), unique ids, and the loopback rule. Runs on the raw config even when the schema found
 * problems, so one run reports every problem.
 */
export function checkReferences(raw: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isObject(raw)) return problems;
  const add = (path: PropertyKey[], message: string) => problems.push({ path: formatPath(path), message });
  const providers = isObject(raw.providers) ? raw.providers : {};
  const groups = isObject(raw.modelGroups) ? raw.modelGroups : {};
  const mocks = isObject(raw.mocks) ? raw.mocks : {};
  const providerNames = Object.keys(providers);
  const groupNames = Object.keys(groups);
  const mockNames = Object.keys(mocks);

  for (const [name, provider] of Object.entries(providers)) {
    if (!isObject(provider)) continue;
    const mockName = typeof provider.mock === 'string' ? provider.mock : isObject(provider.mock) ? provider.mock.name : undefined;
    if (typeof mockName === 'string' && !(mockName in mocks)) {
      add(['providers', name, 'mock', ...(typeof provider.mock === 'string' ? [] : ['name'])], `unknown mock '${mockName}' (${known(mockNames)})`);
    }
    if (provider.baseUrl === undefined && provider.mock === undefined) {
      add(['providers', name, 'baseUrl'], 'is required (or name an embedded mock with `mock`)');
    }
  }

  for (const [name, mock] of Object.entries(mocks)) {
    if (!isObject(mock) || mock.profile === undefined) continue;
    try {
      parseMockProfile(mock.profile);
    } catch (error) {
      const issues = error instanceof MockProfileError ? error.issues : [(error as Error).message];
      for (const issue of issues) add(['mocks', name, 'profile'], issue);
    }
  }

  const deploymentIds = new Map<string, string>();
  for (const [groupName, group] of Object.entries(groups)) {
    if (!isObject(group) || !Array.isArray(group.deployments)) continue;
    group.deployments.forEach((deployment: unknown, i) => {
      if (!isObject(deployment)) return;
      const path = ['modelGroups', groupName, 'deployments', i];
      if (typeof deployment.provider === 'string' && !(deployment.provider in providers)) {
        add([...path, 'provider'], `unknown provider '${deployment.provider}' (${known(providerNames)})`);
      }
      if (typeof deployment.id === 'string') {
        const first = deploymentIds.get(deployment.id);
        if (first) add([...path, 'id'], `duplicate deployment id '${deployment.id}' (also at ${first})`);
        else deploymentIds.set(deployment.id, formatPath(path));
      }
    });
  }

  const routeNames = new Map<string, number>();
  if (Array.isArray(raw.routes)) {
    raw.routes.forEach((route: unknown, i) => {
      if (!isObject(route)) return;
      for (const field of ['chain', 'contextWindowFallbacks', 'contentPolicyFallbacks']) {
        const list = route[field];
        if (!Array.isArray(list)) continue;
        list.forEach((group: unknown, j) => {
          if (typeof group === 'string' && !(group in groups)) {
            add(['routes', i, field, j], `unknown model group '${group}' (${known(groupNames)})`);
          }
        });
      }
      if (typeof route.name === 'string') {
        const first = routeNames.get(route.name);
        if (first !== undefined) add(['routes', i, 'name'], `duplicate route name '${route.name}' (also routes[${first}])`);
        else routeNames.set(route.name, i);
      }
    });
  }

  const server = isObject(raw.server) ? raw.server : {};
  const auth = isObject(raw.auth) ? raw.auth : {};
  const hasKeys = Array.isArray(auth.keys) && auth.keys.length > 0;
  if (typeof server.host === 'string' && !isLoopbackHost(server.host) && !hasKeys) {
    add(['server', 'host'], `binding to '${server.host}' needs gateway keys (auth.keys); without keys only loopback (127.0.0.1, ::1) is allowed`);
  }
  return problems;
}
