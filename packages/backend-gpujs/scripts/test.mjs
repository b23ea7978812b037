#!/usr/bin/env node
// Runs the package's vitest suite. headless-gl needs an X display: without DISPLAY the suite is
// wrapped in `xvfb-run -a` (Xvfb + Mesa software GL); if xvfb-run is missing too, the headlessgl
// tests skip with a loud reason (see the test output) and everything else still runs. Under the
// Xvfb this script starts, headless-gl is required (CONVKIT_GPUJS_REQUIRE_HEADLESSGL=1): a missing
// context fails the run instead of skipping.
//
// WebGPU in Node (the optional `webgpu` package, Dawn): with SwiftShader's Vulkan ICD present and no
// Vulkan driver named, VK_ICD_FILENAMES points at it and CONVKIT_GPUJS_REQUIRE_WEBGPU=1 makes the
// webgpu tests required (../../scripts/webgpu-env.mjs). CONVKIT_GPUJS_WEBGPU_LEVEL=quick trims the
// package's own webgpu conformance cases.
import { spawnSync } from 'node:child_process';
import { webgpuTestEnv } from '../../../scripts/webgpu-env.mjs';

const args = ['vitest', 'run', ...process.argv.slice(2)];
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const env = webgpuTestEnv('backend-gpujs');
let r;
if (!process.env.DISPLAY && has('xvfb-run')) {
  console.log('[backend-gpujs] no DISPLAY: running the tests under xvfb-run -a (Xvfb + Mesa software GL)');
  // with a display we started, headless-gl must work: its absence fails the tests instead of skipping them
  r = spawnSync('xvfb-run', ['-a', '-s', '-screen 0 1280x1024x24', 'pnpm', 'exec', ...args], {
    stdio: 'inherit',
    env: { ...env, CONVKIT_GPUJS_REQUIRE_HEADLESSGL: '1' },
  });
} else {
  if (!process.env.DISPLAY) console.warn('[backend-gpujs] !!! no DISPLAY and no xvfb-run: headlessgl tests will be SKIPPED');
  r = spawnSync('pnpm', ['exec', ...args], { stdio: 'inherit', env });
}
process.exit(r.status ?? 1);
