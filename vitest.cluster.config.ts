// The cluster suite (`npm run test:cluster`): dagent on a real multi-process Temporal cluster on
// PostgreSQL, apart from the main suite, which runs on the dev server.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/cluster/globalSetup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 180_000,
    // The first run builds the server (about 15 minutes, then cached).
    hookTimeout: 1_800_000,
  },
});
