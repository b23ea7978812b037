import { defineConfig } from 'vitest/config';

// Shader compilation on software GL (Mesa llvmpipe, SwiftShader) takes a while per new kernel.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // one file at a time: the GL and browser tests share 2 cores with everything else
    fileParallelism: false,
  },
});
