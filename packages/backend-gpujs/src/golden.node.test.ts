/**
 * The project's shared golden conformance set (@convkit/conformance: 270 cases incl. the uwnet
 * course goldens) on every Node engine, through the package's own runner, plus a check that each
 * case ran on the engine asked for (a gpu.js CPU fallback would have thrown: allowCpuFallback is off).
 *
 * Engines: webasm, headlessgl (under the test script's Xvfb) and webgpu (WebGPU in Node through the
 * optional `webgpu` package; the test script points Dawn at SwiftShader and requires it).
 *
 * A case whose kernels are not all in gpujs's kernel table (the ops added after issue 19, from
 * batchNorm2d on) must report not-implemented, never fail or pass.
 *
 * CONVKIT_GPUJS_GOLDEN_EVERY=n runs every n-th case per op on every engine. Default: all cases on
 * webasm and webgpu (the only full run of the WGSL kernels), and on headlessgl (WebGL1) the odd
 * cases per op: Chromium's webgl mode (browser.test.ts) runs the even ones through the same WebGL1
 * kernels, so the two together cover the whole set at half the cost each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@convkit/core';
import { capabilitiesFor, nodeStore, runCase, type GoldenCase } from '@convkit/conformance';
import { createGpujsBackend } from './index.js';
import { probeMode } from './platform.js';
import { expectTestAdapter, reportWebgpu, webgpu } from './testing/webgpu-env.js';

const everyEnv = process.env.CONVKIT_GPUJS_GOLDEN_EVERY;
/** [every, offset]: case i of an op runs when i % every === offset */
const sampleFor = (mode: string): [number, number] => (everyEnv !== undefined ? [Math.max(1, Number(everyEnv)), 0] : mode === 'headlessgl' ? [2, 1] : [1, 0]);
const store = nodeStore();
const all = store.listCases();
const byOp = new Map<string, GoldenCase[]>();
for (const c of all) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
const headless = await probeMode('headlessgl');
if (!headless.available) console.warn(`\n[backend-gpujs] !!! headlessgl golden conformance SKIPPED: ${headless.reason}\n`);
// the test wrapper started Xvfb: then headless-gl must work, and its absence is a failure, not a skip
if (!headless.available && process.env.CONVKIT_GPUJS_REQUIRE_HEADLESSGL === '1') {
  describe('headlessgl under xvfb-run', () => {
    it('can create a headless-gl context', () => {
      throw new Error(`headless-gl is unavailable although the test wrapper started Xvfb: ${headless.reason}`);
    });
  });
}

reportWebgpu('backend-gpujs golden');

for (const m of [
  { mode: 'webasm' as const, available: true },
  { mode: 'headlessgl' as const, available: headless.available },
  // WebGPU in Node (the `webgpu` package, Dawn; SwiftShader in CI)
  { mode: 'webgpu' as const, available: webgpu.available },
]) {
  const [every, offset] = sampleFor(m.mode);
  const label = every === 1 ? `all ${all.length} cases` : offset === 0 ? `every ${every}th case per op` : `cases ${offset} mod ${every} per op`;
  describe.skipIf(!m.available)(`golden conformance on gpujs ${m.mode} (${label})`, () => {
    let ctx: Context;
    beforeAll(async () => {
      const be = await createGpujsBackend({ mode: m.mode });
      if (m.mode === 'webgpu') expectTestAdapter(be.adapter);
      ctx = new Context(be);
    });
    afterAll(async () => {
      await ctx?.dispose();
    });
    for (const [op, list] of byOp) {
      const picked = list.filter((_, i) => i % every === offset);
      // an op with fewer cases than `every` may have none here (its case 0 runs in Chromium's webgl)
      if (picked.length === 0) continue;
      describe(op, () => {
        picked.forEach((c) => {
          it(c.id, async (t) => {
            const r = await runCase(c, ctx, undefined, store);
            if (r.status === 'skipped') t.skip(r.message);
            if (!capabilitiesFor(c).every((k) => ctx.backend.capabilities.has(k))) {
              expect(r.status, r.message).toBe('not-implemented');
              return;
            }
            expect(r.status, r.message).toBe('pass');
            expect(ctx.engine).toBe(m.mode);
            if (ctx.lastRun) expect(ctx.lastRun.engine).toBe(m.mode);
          });
        });
      });
    }
  });
}
