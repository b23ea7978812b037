import { defineConfig } from 'vitest/config';

// The test scaffolds a backend into a temp dir, compiles it with tsc and runs the conformance CLI
// and the generated package's own vitest suite as child processes: minutes-scale timeouts, no timing.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000 },
});
