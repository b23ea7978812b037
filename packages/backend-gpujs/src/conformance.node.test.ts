/**
 * The conformance suite (src/testing/cases.ts) in Node, once per engine: 'webasm' always,
 * 'headlessgl' under an X display (the package's test script wraps vitest in xvfb-run). Each case
 * also asserts that the op ran on the engine the context reports, and that no gpu.js CPU
 * fallback happened (the backend throws on one).
 *
 * 'webgpu' is WebGPU in Node through the optional `webgpu` package (Dawn; SwiftShader in CI: the
 * test script sets VK_ICD_FILENAMES and requires it, see scripts/test.mjs); each webgpu context also
 * reports its adapter.
 *
 * The shared golden set (@convkit/conformance) runs in golden.node.test.ts; these are the
 * package's own cases (three conv algorithms, host-written indices, > 2^16-element indices, uwnet).
 *
 * CONVKIT_GPUJS_LEVEL = quick | full: default full on every mode (about 10 s on headlessgl);
 * quick is a subset for iterating on a kernel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, createContext, type Context } from '@convkit/core';
import { register, type GpujsBackend } from './index.js';
import { buildCases, buildConvCases, runCases, type Case, type Level } from './testing/cases.js';
import { goldenDir, nodeEnv } from './testing/node-env.js';
import { probeMode } from './platform.js';
import { expectTestAdapter, reportWebgpu, webgpu } from './testing/webgpu-env.js';

const envLevel = process.env.CONVKIT_GPUJS_LEVEL as Level | undefined;
const golden = goldenDir();
if (!golden) console.warn('[backend-gpujs] ../shared/golden/uwnet not found: the uwnet golden cases are SKIPPED');

const headless = await probeMode('headlessgl');
if (!headless.available) {
  console.warn(`\n[backend-gpujs] !!! headlessgl tests SKIPPED: ${headless.reason}\n`);
}
// the test wrapper started Xvfb: then headless-gl must work, and its absence is a failure, not a skip
if (!headless.available && process.env.CONVKIT_GPUJS_REQUIRE_HEADLESSGL === '1') {
  describe('headlessgl under xvfb-run', () => {
    it('can create a headless-gl context', () => {
      throw new Error(`headless-gl is unavailable although the test wrapper started Xvfb: ${headless.reason}`);
    });
  });
}

reportWebgpu('backend-gpujs conformance');

const MODES = [
  { mode: 'webasm', available: true, reason: '', level: envLevel ?? 'full' },
  { mode: 'headlessgl', available: headless.available, reason: headless.reason, level: envLevel ?? 'full' },
  // WebGPU in Node (Dawn; SwiftShader in CI, whose shader compiles are slow): CONVKIT_GPUJS_WEBGPU_LEVEL
  { mode: 'webgpu', available: webgpu.available, reason: webgpu.reason, level: (process.env.CONVKIT_GPUJS_WEBGPU_LEVEL as Level | undefined) ?? envLevel ?? 'full' },
] as const;

function registry() {
  const reg = new Registry();
  register(reg);
  return reg;
}

for (const m of MODES) {
  describe.skipIf(!m.available)(`gpujs ${m.mode} own conformance cases (${m.level} subset)`, () => {
    const contexts: Record<string, Context> = {};
    beforeAll(async () => {
      for (const algo of ['auto', 'im2col', 'direct'] as const) {
        contexts[algo] = await createContext({ backend: 'gpujs', registry: registry(), backendOptions: { mode: m.mode, convAlgorithm: algo } });
      }
    });
    afterAll(async () => {
      for (const c of Object.values(contexts)) await c.dispose();
    });

    it('reports the engine that runs', () => {
      for (const c of Object.values(contexts)) expect(c.engine).toBe(m.mode);
      if (m.mode === 'webgpu') for (const c of Object.values(contexts)) expectTestAdapter((c.backend as GpujsBackend).adapter);
    });

    const sets: [string, Case[]][] = [
      ['auto', buildCases({ level: m.level, algo: 'auto', large: [2, 4, 96, 100], golden: true })],
      ['im2col', buildConvCases({ level: m.level, algo: 'im2col' })],
      ['direct', buildConvCases({ level: m.level, algo: 'direct' })],
    ];
    for (const [algo, cases] of sets) {
      for (const c of cases) {
        it(c.name, async () => {
          const [r] = await runCases(contexts[algo]!, [c], nodeEnv, m.mode);
          if (r!.skipped) console.warn(`[backend-gpujs] ${m.mode}: ${c.name}: ${r!.detail}`);
          expect(r!.ok, r!.detail).toBe(true);
        });
      }
    }
  });
}
