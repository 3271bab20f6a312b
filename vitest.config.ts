import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The cluster suite has its own config (vitest.cluster.config.ts) and server.
    exclude: ['test/cluster/**', '**/node_modules/**'],
    globalSetup: ['test/globalSetup.ts'],
    pool: 'forks',
    // Two cores: each file runs its own Temporal worker, so keep files from crowding each other.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
