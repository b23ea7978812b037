import { defineConfig } from 'vitest/config';

// Tests build throwaway git repositories in temp dirs and run git and `changeset version` there.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
