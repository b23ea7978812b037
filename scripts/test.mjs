#!/usr/bin/env node
// The README's test command (`pnpm test`): builds every package, then runs every package's tests one
// package at a time (the browser and worker suites each want both cores), reporting every failing
// package rather than stopping at the first.
//
// headless-gl needs an X display. Without DISPLAY, and with xvfb-run installed (scripts/setup.sh
// installs it), the whole run goes under one `xvfb-run -a` with Mesa's software GL, and GL is then
// required: CONVKIT_GPUJS_REQUIRE_HEADLESSGL=1 turns a missing context into a failure instead of a
// skip. Without either, the GL tests skip loudly and everything else runs.
//
// WebGPU in Node (backend-gpujs, reliability): see webgpu-env.mjs. With SwiftShader's Vulkan ICD
// present and no Vulkan driver named, VK_ICD_FILENAMES points at it and CONVKIT_GPUJS_REQUIRE_WEBGPU=1
// makes the webgpu tests required.
import { spawnSync } from 'node:child_process';
import { webgpuTestEnv } from './webgpu-env.mjs';

const extra = process.argv.slice(2);
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const run = (cmd, args, env = process.env) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.error) throw r.error;
  return r.status ?? 1;
};

let status = run('pnpm', ['exec', 'turbo', 'run', 'build']);
if (status !== 0) process.exit(status);

const test = ['exec', 'turbo', 'run', 'test', '--concurrency=1', '--continue', ...extra];
const env = webgpuTestEnv('convkit test');
if (!process.env.DISPLAY && has('xvfb-run')) {
  console.log('[convkit test] no DISPLAY: running the tests under xvfb-run -a (Xvfb + Mesa software GL); headless-gl is required');
  status = run('xvfb-run', ['-a', '-s', '-screen 0 1280x1024x24', 'pnpm', ...test], {
    ...env,
    CONVKIT_GPUJS_REQUIRE_HEADLESSGL: '1',
  });
} else {
  if (!process.env.DISPLAY) console.warn('[convkit test] !!! no DISPLAY and no xvfb-run: the headless-gl tests will be SKIPPED (run scripts/setup.sh)');
  status = run('pnpm', test, env);
}
process.exit(status);
