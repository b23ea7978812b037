import { defineConfig } from 'vitest/config';

// Tests run against the built dist (turbo builds before test), so the worker script is the real
// dist/worker.js loaded through new URL('./worker.js', import.meta.url).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
