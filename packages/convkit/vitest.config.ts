import { defineConfig } from 'vitest/config';
// install.test.ts packs and npm-installs the packages (~30 s): one file at a time, generous timeouts
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 60_000, fileParallelism: false } });
