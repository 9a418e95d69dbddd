import { InvalidOptionsError } from '../../core/errors.js';
import type { DeploymentConfig, EjectionConfig, ModelGroupConfig } from '../router-config.js';
import {
  DEFAULT_BALANCER,
  DEFAULT_BASE_EJECTION_MS,
  DEFAULT_EJECTION_CONSECUTIVE_FAILURES,
  DEFAULT_MAX_EJECTED_PERCENT,
  DEFAULT_MAX_EJECTION_MS,
  DEFAULT_SLOW_START_MS,
} from './balancer-defaults.js';

/** The balancing strategies a model group can name. */
export type BalancerName = NonNullable<ModelGroupConfig['balancer']>;

/** Every strategy name, in documentation order. */
export const BALANCER_NAMES: readonly BalancerName[] = Object.freeze(['p2c-ewma', 'round-robin', 'least-outstanding', 'usage']);

/** {@link EjectionConfig} with every default filled in. */
export type ResolvedEjection = Readonly<Required<EjectionConfig>>;

/**
 * Fills in and checks a group's ejection settings. Throws {@link InvalidOptionsError} naming
 * the field and the bad value. `path` prefixes field names in messages, e.g. `modelGroups.gpt4`.
 */
export function resolveEjection(config: EjectionConfig | undefined, path = 'group'): ResolvedEjection {
  const resolved = {
    consecutiveFailures: config?.consecutiveFailures ?? DEFAULT_EJECTION_CONSECUTIVE_FAILURES,
    baseEjectionMs: config?.baseEjectionMs ?? DEFAULT_BASE_EJECTION_MS,
    maxEjectionMs: config?.maxEjectionMs ?? DEFAULT_MAX_EJECTION_MS,
    maxEjectedPercent: config?.maxEjectedPercent ?? DEFAULT_MAX_EJECTED_PERCENT,
    slowStartMs: config?.slowStartMs ?? DEFAULT_SLOW_START_MS,
  };
  const at = `${path}.ejection`;
  if (!Number.isInteger(resolved.consecutiveFailures) || resolved.consecutiveFailures < 1) {
    fail(`${at}.consecutiveFailures must be an integer ≥ 1, got ${String(resolved.consecutiveFailures)}`);
  }
  if (!isFiniteAtLeast(resolved.baseEjectionMs, 1)) {
    fail(`${at}.baseEjectionMs must be a finite number ≥ 1, got ${String(resolved.baseEjectionMs)}`);
  }
  if (!isFiniteAtLeast(resolved.maxEjectionMs, resolved.baseEjectionMs)) {
    fail(`${at}.maxEjectionMs must be a finite number ≥ baseEjectionMs (${resolved.baseEjectionMs}), got ${String(resolved.maxEjectionMs)}`);
  }
  const percent = resolved.maxEjectedPercent;
  if (typeof percent !== 'number' || !(percent >= 0 && percent <= 1)) {
    fail(`${at}.maxEjectedPercent must be a share between 0 and 1 (0.5 = 50%), got ${String(percent)}`);
  }
  if (!isFiniteAtLeast(resolved.slowStartMs, 0)) {
    fail(`${at}.slowStartMs must be a finite number ≥ 0, got ${String(resolved.slowStartMs)}`);
  }
  return Object.freeze(resolved);
}

/** Checks the group's strategy name and deployments (ids unique, weight > 0, priority finite, rpm/tpm > 0). */
export function validateGroup(group: ModelGroupConfig, path = 'group'): BalancerName {
  const balancer = group.balancer ?? DEFAULT_BALANCER;
  if (!BALANCER_NAMES.includes(balancer)) {
    fail(`${path}.balancer must be one of ${BALANCER_NAMES.join(', ')}, got ${JSON.stringify(balancer)}`);
  }
  if (!Array.isArray(group.deployments) || group.deployments.length === 0) {
    fail(`${path}.deployments must list at least one deployment`);
  }
  const seen = new Set<string>();
  group.deployments.forEach((deployment, i) => {
    const at = `${path}.deployments[${i}]`;
    if (typeof deployment.id !== 'string' || deployment.id === '') fail(`${at}.id must be a non-empty string, got ${JSON.stringify(deployment.id)}`);
    if (seen.has(deployment.id)) fail(`${at}.id must be unique in the group, got duplicate ${JSON.stringify(deployment.id)}`);
    seen.add(deployment.id);
    checkDeployment(deployment, at);
  });
  return balancer;
}

function checkDeployment(deployment: DeploymentConfig, at: string): void {
  if (deployment.weight !== undefined && !(Number.isFinite(deployment.weight) && deployment.weight > 0)) {
    fail(`${at}.weight must be a finite number > 0, got ${String(deployment.weight)}`);
  }
  if (deployment.priority !== undefined && !Number.isFinite(deployment.priority)) {
    fail(`${at}.priority must be a finite number, got ${String(deployment.priority)}`);
  }
  for (const field of ['rpm', 'tpm'] as const) {
    const value = deployment[field];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) fail(`${at}.${field} must be a finite number > 0, got ${String(value)}`);
  }
}

function isFiniteAtLeast(value: unknown, min: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min;
}

function fail(message: string): never {
  throw new InvalidOptionsError(message);
}
