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
    const hasDefaultUrl = provider.type === 'gemini' || provider.type === 'vertex' || provider.type === 'bedrock' || provider.preset !== undefined;
    if (provider.baseUrl === undefined && provider.mock === undefined && !hasDefaultUrl) {
      add(['providers', name, 'baseUrl'], 'is required (or name an embedded mock with `mock`)');
    }
    for (const problem of cloudProviderProblems(provider)) add(['providers', name, ...problem.path], problem.message);
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
      if (Array.isArray(route.chain)) {
        const firstAt = new Map<unknown, number>();
        route.chain.forEach((group: unknown, j) => {
          const first = firstAt.get(group);
          if (first === undefined) firstAt.set(group, j);
          else add(['routes', i, 'chain', j], `must name each model group once (a chain tries each group once), got '${String(group)}' again (first at chain[${first}])`);
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
  problems.push(...keyConflicts(auth));
  return problems;
}

/**
 * One key, one identity: two `auth.keys` with the same digest would make the tenant depend on
 * the order of the list, and an admin key equal to a gateway key opens `/admin` to that tenant.
 * Digests are compared, never shown.
 */
function keyConflicts(auth: Raw): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const owners = new Map<string, { at: string; tenant: unknown }>();
  (Array.isArray(auth.keys) ? auth.keys : []).forEach((key: unknown, i) => {
    if (!isObject(key) || typeof key.sha256 !== 'string' || key.sha256 === '') return;
    const digest = key.sha256.toLowerCase();
    const first = owners.get(digest);
    if (first === undefined) owners.set(digest, { at: `auth.keys[${i}]`, tenant: key.tenant });
    else problems.push({ path: formatPath(['auth', 'keys', i, 'sha256']), message: `must be a key of its own, got the same key as ${first.at} (tenant '${String(first.tenant)}')` });
  });
  if (typeof auth.adminKeySha256 === 'string' && auth.adminKeySha256 !== '') {
    const owner = owners.get(auth.adminKeySha256.toLowerCase());
    if (owner) problems.push({ path: 'auth.adminKeySha256', message: `must differ from every gateway key, got the key of ${owner.at} (tenant '${String(owner.tenant)}'): that tenant could call /admin` });
  }
  return problems;
}

/** The fields each provider type needs or may not have (type-specific settings on another type are refused, not ignored). */
function cloudProviderProblems(provider: Record<string, unknown>): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const type = provider.type;
  const need = (field: string, why: string) => {
    if (provider[field] === undefined) problems.push({ path: [field], message: `is required for type ${String(type)} (${why})` });
  };
  const only = (field: string, types: string[]) => {
    if (provider[field] !== undefined && !types.includes(String(type))) {
      problems.push({ path: [field], message: `applies only to type ${types.join(' or ')}, not ${String(type)}` });
    }
  };
  if (type === 'vertex') {
    need('project', 'the Google Cloud project id');
    need('region', 'the location, e.g. europe-west4 or global');
  }
  if (type === 'bedrock') need('region', 'the AWS region, e.g. us-east-1');
  only('preset', ['openai']);
  only('project', ['vertex']);
  only('publisher', ['vertex']);
  only('googleCredentials', ['vertex']);
  only('awsCredentials', ['bedrock']);
  only('region', ['vertex', 'bedrock']);
  return problems;
}
