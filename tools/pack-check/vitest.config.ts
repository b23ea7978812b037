import { defineConfig } from 'vitest/config';

// Packs the workspace, runs npm installs and tsc in temp projects: child processes, generous timeouts,
// one file at a time (they share the packed tarballs).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
