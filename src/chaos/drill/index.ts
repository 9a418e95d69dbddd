// Disaster-recovery drills: built-in scenarios on virtual time (in-process, seeded) or real time (gateway + mock).
export * from './scenarios.js';
export * from './topology.js';
export * from './measure.js';
export * from './plan.js';
export * from './target.js';
export * from './run-scenario.js';
export * from './run-virtual.js';
export * from './virtual-target.js';
export * from './report.js';
export * from './http-drill-sender.js';
export * from './real-target.js';
export * from './run-real.js';
