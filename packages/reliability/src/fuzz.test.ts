/**
 * Property-based fuzzing of every backend against the float64 reference (issue 8, part 1).
 *
 * CONVKIT_FUZZ_RUNS (default 10000): cases per CPU backend (js, workers, wasm), spread over the ops by
 * OPS[].share. CONVKIT_FUZZ_GPUJS_RUNS (default 10000): gpujs on its WebAssembly engine, which
 * compiles a kernel per new shape. CONVKIT_FUZZ_GL_RUNS (default 100): software GL
 * (gpujs-headlessgl under Xvfb + Mesa, which compiles a shader per new shape and is slow).
 * CONVKIT_FUZZ_WEBGPU_RUNS (default 100): gpujs-webgpu, WebGPU in Node on SwiftShader in CI, scaled
 * down like software GL: every new shape compiles new WGSL pipelines on a CPU rasteriser (the same
 * ops and shapes generators, 1% of the CPU budget; printed as a console line when the suite starts).
 * CONVKIT_FUZZ_SEED: replay one seed (a failure prints its seed, path and the shrunk case).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ValidationError, type Context } from '@convkit/core';
import { describeLoaded, loadAll } from './backends.js';
import { OPS, splitBudget, convArb, convValid, poolArb, poolValid, type ConvCase, type PoolCase } from './cases.js';
import { record } from './summary.js';
import { fuzzOp } from './fuzzrun.js';

const envInt = (name: string, dflt: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got '${v}'`);
  return n;
};
const CPU_RUNS = envInt('CONVKIT_FUZZ_RUNS', 10_000);
const GPUJS_RUNS = envInt('CONVKIT_FUZZ_GPUJS_RUNS', 10_000);
const GL_RUNS = envInt('CONVKIT_FUZZ_GL_RUNS', 100);
const WEBGPU_RUNS = envInt('CONVKIT_FUZZ_WEBGPU_RUNS', 100);
/** cases per target: gpu.js compiles a kernel per new shape, so its engines get a stated smaller share */
const RUNS: Record<string, number> = { js: CPU_RUNS, workers: CPU_RUNS, wasm: CPU_RUNS, 'gpujs-webasm': GPUJS_RUNS, 'gpujs-headlessgl': GL_RUNS, 'gpujs-webgpu': WEBGPU_RUNS };
const SEED = process.env.CONVKIT_FUZZ_SEED ? Number(process.env.CONVKIT_FUZZ_SEED) : undefined;
/** accept/reject cases per target for each of conv and pool (not counted in the fuzz budget) */
const geometryRuns = (total: number) => Math.max(5, Math.round(total / 50));

const loaded = await loadAll(undefined, { optIn: true });
for (const l of loaded) console.log(`[reliability fuzz] ${describeLoaded(l)}`);
if (loaded.some((l) => l.target.id === 'gpujs-webgpu' && !l.skip)) {
  console.log(`[reliability fuzz] gpujs-webgpu scaled down: ${WEBGPU_RUNS} cases (CPU targets: ${CPU_RUNS}; CONVKIT_FUZZ_WEBGPU_RUNS)`);
}

for (const l of loaded) {
  const t = l.target;
  const total = RUNS[t.id] ?? GL_RUNS;
  if (l.skip) {
    describe(`fuzz ${t.id}`, () => {
      it.skip(`skipped: ${l.skip}`, () => {});
    });
    record({ kind: 'skip', target: t.id, reason: l.skip, suite: 'fuzz' });
    continue;
  }
  describe(`fuzz ${t.id} (${total} cases against the float64 reference)`, () => {
    let ctx: Context;
    beforeAll(async () => {
      ctx = await l.make!();
    });
    afterAll(async () => {
      await ctx?.dispose();
    });

    const budget = splitBudget(total);
    for (const o of OPS) {
      const n = budget.get(o.op)!;
      it(`${o.op}: ${n} random cases match the reference`, async () => {
        const r = await fuzzOp(ctx, o, n, SEED);
        record({ kind: 'fuzz', target: t.id, op: o.op, cases: r.cases, mismatches: r.failed ? 1 : 0, skipped: r.details.numSkips });
        if (r.failed) throw new Error(`${t.id} ${r.message}`);
        const details = r.details;
        expect(details.numRuns).toBe(n);
      });
    }

    const GEOMETRY_RUNS = geometryRuns(total);
    it(`core accepts exactly the legal conv and pool geometries (${2 * GEOMETRY_RUNS} cases, independent rules)`, async () => {
      const { whyInvalid } = await import('./geometry.js');
      const { convSpec, poolSpec } = await import('./cases.js');
      let cases = 0;
      const check = async (legal: string | null, run: () => Promise<unknown>) => {
        cases++;
        let err: unknown = null;
        try {
          const r = await run();
          disposeAll(r);
        } catch (e) {
          err = e;
        }
        if (legal === null && err) throw new Error(`legal options rejected: ${(err as Error).message}`);
        if (legal !== null && !(err instanceof ValidationError)) {
          throw new Error(`illegal options (${legal}) not rejected with a ValidationError: ${err ? (err as Error).message : 'no error'}`);
        }
      };
      const convAll = fc.asyncProperty(convArb, async (c: ConvCase) => {
        const x = ctx.zeros([c.N, c.groups * c.cg, c.H, c.W]);
        const w = ctx.zeros([c.groups * c.kg, c.cg, c.kH, c.kW]);
        try {
          await check(whyInvalid(convSpec(c)), () =>
            ctx.conv2d(x, w, { stride: c.stride, dilation: c.dilation, padding: c.padding, padMode: c.padMode, groups: c.groups }),
          );
        } finally {
          x.dispose();
          w.dispose();
        }
      });
      const poolAll = fc.asyncProperty(poolArb, fc.boolean(), async (c: PoolCase, ceilSame: boolean) => {
        const x = ctx.zeros([c.N, c.C, c.H, c.W]);
        const ceilMode = c.ceilMode || (ceilSame && c.padding === 'same'); // also the illegal ceil + 'same'
        try {
          await check(whyInvalid({ ...poolSpec(c), ceilMode }), () =>
            ctx.maxpool2d(x, { kernel: [c.kH, c.kW], stride: c.stride, padding: c.padding, ceilMode }),
          );
        } finally {
          x.dispose();
        }
      });
      const a = await fc.check(convAll, { numRuns: GEOMETRY_RUNS, seed: SEED });
      const b = await fc.check(poolAll, { numRuns: GEOMETRY_RUNS, seed: SEED });
      record({ kind: 'geometry', target: t.id, cases, failures: Number(a.failed) + Number(b.failed) });
      for (const d of [a, b]) {
        if (d.failed) throw new Error(`${fc.defaultReportMessage(d as unknown as fc.RunDetails<unknown[]>)}\nError of the shrunk case: ${errText(d.errorInstance)}`);
      }
      expect(ctx.memory().tensors).toBe(0);
    });
  });
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function disposeAll(r: unknown) {
  if (!r || typeof r !== 'object') return;
  if ('dispose' in r && typeof (r as { dispose: unknown }).dispose === 'function') {
    (r as { dispose(): void }).dispose();
    return;
  }
  for (const v of Object.values(r)) disposeAll(v);
}
