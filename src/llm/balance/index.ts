// Load balancing and outlier ejection inside one model group.
export * from './balancer.js';
export * from './balancer-defaults.js';
export { BALANCER_NAMES, resolveEjection, type BalancerName, type ResolvedEjection } from './balancer-options.js';
export { createGroupBalancer } from './group-balancer.js';
