import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Builds dist/ when stale, starts a Redis when none answers, installs Chromium when missing.
    globalSetup: ['test/setup/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: forks isolate sockets and signals per file; keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
  },
});
