import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 150_000, hookTimeout: 150_000 } });
