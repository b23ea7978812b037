import { defineConfig } from 'vitest/config';

// One file at a time: the suites share the machine's 2 cores with the worker pools they start.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['./src/globalSetup.ts'],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
