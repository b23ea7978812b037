#!/usr/bin/env node
// Runs the reliability suite (vitest). WebGPU in Node (the gpujs-webgpu target): with SwiftShader's
// Vulkan ICD present and no Vulkan driver named, VK_ICD_FILENAMES points at it and
// CONVKIT_GPUJS_REQUIRE_WEBGPU=1 makes the target required: one that cannot start fails the suite
// instead of being skipped (../../../scripts/webgpu-env.mjs).
import { spawnSync } from 'node:child_process';
import { webgpuTestEnv } from '../../../scripts/webgpu-env.mjs';

const r = spawnSync('pnpm', ['exec', 'vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit', env: webgpuTestEnv('reliability') });
process.exit(r.status ?? 1);
