/**
 * The WGSL kernels of the ResNet ops (webgpu/cnn.ts: batch norm and its backward, add / sub / mul
 * with broadcasting, sumToShape, global and window average pooling, softmax / log-softmax and
 * their backward passes) against the float64 loops of @convkit/reference, on shapes that take both
 * the cooperative (a workgroup per row, lane partials + tree) and the serial (a thread per row)
 * reductions, and their speed proxies: ONE dispatch per op, no uploads, the modeled bytes read and
 * written, each compared with the gpu.js-language kernels of the same op (`wgsl: false`).
 *
 * Runs in Node on Dawn (the optional `webgpu` package) with SwiftShader: correctness and counters,
 * no speed. Skipped, saying why, when no WebGPU adapter can be made here.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, createContext, type Context, type Tensor } from '@convkit/core';
import {
  compare,
  describeMismatch,
  mulberry32,
  refAdd,
  refAvgpool2d,
  refAvgpool2dBackward,
  refBatchNorm2d,
  refBatchNorm2dBackward,
  refGlobalAvgPool2d,
  refGlobalAvgPool2dBackward,
  refLogSoftmax,
  refLogSoftmaxBackward,
  refMul,
  refReduceTo,
  refSoftmax,
  refSoftmaxBackward,
  refSub,
  type Tolerance,
} from '@convkit/reference';
import { register } from '../index.js';

const TOL: Tolerance = { atol: 1e-4, rtol: 1e-4 };

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
let reason = '';
try {
  const g = globalThis as Record<string, unknown>;
  if (!(g.navigator as { gpu?: unknown } | undefined)?.gpu) {
    const { create, globals } = createRequire(import.meta.url)('webgpu');
    Object.assign(globalThis, globals);
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true, writable: true });
  }
  const gpu = (g.navigator as { gpu: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!(await gpu.requestAdapter())) reason = 'navigator.gpu.requestAdapter() gave no adapter';
} catch (e) {
  reason = `the webgpu package did not load: ${(e as Error).message}`;
}
if (reason) console.warn(`\n[backend-gpujs] !!! WGSL ResNet-op tests SKIPPED: ${reason}\n`);

function rand(n: number, seed: number, scale = 1, shift = 0): Float32Array {
  const r = mulberry32(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale + shift;
  return a;
}
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  const r = compare(got, want, TOL);
  expect(r.ok, `${what}: ${describeMismatch(r, TOL)}`).toBe(true);
}

type Counters = Record<string, number>;
const KEYS = ['launches', 'uploads', 'bytesRead', 'bytesWritten', 'threads', 'outputs'];
function counters(ctx: Context): Counters {
  return ctx.memory().backend as unknown as Counters;
}

/** What `op` moved on the device, once its inputs are uploaded (a first call uploads them). */
async function measure(ctx: Context, op: () => Promise<Tensor[]>): Promise<{ d: Counters; outs: Tensor[] }> {
  for (const t of await op()) t.dispose();
  const a = counters(ctx);
  const outs = await op();
  const b = counters(ctx);
  const d: Counters = {};
  for (const k of KEYS) d[k] = (b[k] ?? 0) - (a[k] ?? 0);
  return { d, outs };
}

interface OpCase {
  name: string;
  /** the op on a context; the inputs are made on that context from `data` */
  run: (ctx: Context, t: (name: string) => Tensor) => Promise<Tensor[]>;
  inputs: Record<string, { data: Float32Array; shape: number[] }>;
  want: () => (ArrayLike<number> | null)[];
}

const rows: string[] = [];

describe.skipIf(!!reason)('gpujs webgpu WGSL ResNet ops (Dawn + SwiftShader)', () => {
  let ctx: Context;
  let old: Context;
  beforeAll(async () => {
    const reg = register(new Registry());
    ctx = await createContext({ backend: 'gpujs', registry: reg, backendOptions: { mode: 'webgpu' } });
    old = await createContext({ backend: 'gpujs', registry: reg, backendOptions: { mode: 'webgpu', wgsl: false } });
  });
  afterAll(async () => {
    if (rows.length) console.log(`[backend-gpujs] WGSL ResNet ops on webgpu (dispatches, modeled bytes read / written; gpu.js kernels in parentheses):\n${rows.join('\n')}`);
    await ctx?.dispose();
    await old?.dispose();
  });

  const bnX = { data: rand(8 * 4 * 24 * 24, 1, 2, 100), shape: [8, 4, 24, 24] };
  const bnG = { data: rand(4, 2, 1, 1), shape: [4] };
  const bnB = { data: rand(4, 3), shape: [4] };
  const bnRm = { data: rand(4, 4), shape: [4] };
  const bnRv = { data: rand(4, 5, 0.5, 1), shape: [4] };
  const bnDy = { data: rand(8 * 4 * 24 * 24, 6), shape: [8, 4, 24, 24] };
  const ncwh = [2, 6, 9, 11];
  const a4 = { data: rand(size(ncwh), 7), shape: ncwh };
  const sumX = { data: rand(8 * 16 * 12 * 12, 8), shape: [8, 16, 12, 12] };
  const gap = { data: rand(2 * 3 * 20 * 20, 9), shape: [2, 3, 20, 20] };
  const gapSmall = { data: rand(3 * 5 * 3 * 3, 10), shape: [3, 5, 3, 3] };
  const smX = { data: rand(3 * 300 * 4, 11, 5), shape: [3, 300, 4] };
  const smRows = { data: rand(50 * 10, 12, 5), shape: [50, 10] };
  const avgO = { kernel: 3, stride: 2, padding: [1, 1, 1, 1] as [number, number, number, number], ceilMode: true, countIncludePad: true };
  const avgY = refAvgpool2d(a4, avgO);
  const avgDy = { data: rand(size(avgY.shape), 13), shape: [...avgY.shape] };
  const smY = refSoftmax(smX, 1);
  const lsmY = refLogSoftmax(smX, 1);
  const sDy = { data: rand(size(smX.shape), 14), shape: smX.shape };
  const f32 = (d: ArrayLike<number>) => Float32Array.from(d);

  const cases: OpCase[] = [
    {
      name: 'batchNorm2d training [8,4,24,24] affine + running stats (mean 100)',
      inputs: { x: bnX, g: bnG, b: bnB, rm: bnRm, rv: bnRv },
      run: async (c, t) => {
        const r = await c.batchNorm2d(t('x'), { gamma: t('g'), beta: t('b'), runningMean: t('rm'), runningVar: t('rv'), training: true });
        return [r.y, r.runningMean!, r.runningVar!];
      },
      want: () => {
        const r = refBatchNorm2d(bnX, { gamma: bnG, beta: bnB, runningMean: bnRm, runningVar: bnRv }, { training: true });
        return [r.y.data, r.runningMean!.data, r.runningVar!.data];
      },
    },
    {
      name: 'batchNorm2d training [8,4,24,24] no affine, onnx momentum',
      inputs: { x: bnX, rm: bnRm, rv: bnRv },
      run: async (c, t) => {
        const r = await c.batchNorm2d(t('x'), { runningMean: t('rm'), runningVar: t('rv'), training: true, momentumMode: 'onnx' });
        return [r.y, r.runningMean!, r.runningVar!];
      },
      want: () => {
        const r = refBatchNorm2d(bnX, { runningMean: bnRm, runningVar: bnRv }, { training: true, momentumMode: 'onnx' });
        return [r.y.data, r.runningMean!.data, r.runningVar!.data];
      },
    },
    {
      name: 'batchNorm2d inference [8,4,24,24]',
      inputs: { x: bnX, g: bnG, b: bnB, rm: bnRm, rv: bnRv },
      run: async (c, t) => [(await c.batchNorm2d(t('x'), { gamma: t('g'), beta: t('b'), runningMean: t('rm'), runningVar: t('rv') })).y],
      want: () => [refBatchNorm2d(bnX, { gamma: bnG, beta: bnB, runningMean: bnRm, runningVar: bnRv }).y.data],
    },
    {
      name: 'batchNorm2dBackward [8,4,24,24] gamma',
      inputs: { x: bnX, dy: bnDy, g: bnG },
      run: async (c, t) => {
        const r = await c.batchNorm2dBackward(t('x'), t('dy'), { gamma: t('g') });
        return [r.dx, r.dgamma, r.dbeta];
      },
      want: () => {
        const r = refBatchNorm2dBackward(bnX, bnDy, bnG);
        return [r.dx.data, r.dgamma.data, r.dbeta.data];
      },
    },
    {
      name: 'add [2,6,9,11] + per-channel [1,6,1,1]',
      inputs: { a: a4, b: { data: rand(6, 15), shape: [1, 6, 1, 1] } },
      run: async (c, t) => [await c.add(t('a'), t('b'))],
      want: () => [refAdd(a4, { data: rand(6, 15), shape: [1, 6, 1, 1] }).data],
    },
    {
      name: 'sub [2,6,9,11] - same shape',
      inputs: { a: a4, b: { data: rand(size(ncwh), 16), shape: ncwh } },
      run: async (c, t) => [await c.sub(t('a'), t('b'))],
      want: () => [refSub(a4, { data: rand(size(ncwh), 16), shape: ncwh }).data],
    },
    {
      name: 'mul [9,1] * [2,6,1,11] (both broadcast)',
      inputs: { a: { data: rand(9, 17), shape: [9, 1] }, b: { data: rand(2 * 6 * 11, 18), shape: [2, 6, 1, 11] } },
      run: async (c, t) => [await c.mul(t('a'), t('b'))],
      want: () => [refMul({ data: rand(9, 17), shape: [9, 1] }, { data: rand(2 * 6 * 11, 18), shape: [2, 6, 1, 11] }).data],
    },
    {
      name: 'sumToShape [8,16,12,12] -> [1,16,1,1] (bias gradient, rows of 1152)',
      inputs: { x: sumX },
      run: async (c, t) => [await c.sumToShape(t('x'), { shape: [1, 16, 1, 1] })],
      want: () => [refReduceTo(sumX, [1, 16, 1, 1]).data],
    },
    {
      name: 'sumToShape [8,16,12,12] -> [12,1] alpha -0.5 (rows of 12: serial)',
      inputs: { x: sumX },
      run: async (c, t) => [await c.sumToShape(t('x'), { shape: [12, 1], alpha: -0.5 })],
      want: () => [Array.from(refReduceTo(sumX, [12, 1]).data, (v) => -0.5 * v)],
    },
    {
      name: 'globalAvgPool2d [2,3,20,20] (cooperative)',
      inputs: { x: gap },
      run: async (c, t) => [await c.globalAvgPool2d(t('x'))],
      want: () => [refGlobalAvgPool2d(gap).data],
    },
    {
      name: 'globalAvgPool2d [3,5,3,3] (serial)',
      inputs: { x: gapSmall },
      run: async (c, t) => [await c.globalAvgPool2d(t('x'))],
      want: () => [refGlobalAvgPool2d(gapSmall).data],
    },
    {
      name: 'globalAvgPool2dBackward [2,3,20,20]',
      inputs: { dy: { data: rand(6, 19), shape: [2, 3, 1, 1] } },
      run: async (c, t) => [await c.globalAvgPool2dBackward(t('dy'), { inputShape: [2, 3, 20, 20] })],
      want: () => [refGlobalAvgPool2dBackward({ data: rand(6, 19), shape: [2, 3, 1, 1] }, [2, 3, 20, 20]).data],
    },
    {
      name: 'avgpool2d 3x3/2 pad 1 ceil count-include-pad [2,6,9,11]',
      inputs: { x: a4 },
      run: async (c, t) => [await c.avgpool2d(t('x'), avgO)],
      want: () => [avgY.data],
    },
    {
      name: 'avgpool2dBackward 3x3/2 pad 1 ceil count-include-pad',
      inputs: { dy: avgDy },
      run: async (c, t) => [await c.avgpool2dBackward(t('dy'), { ...avgO, inputShape: ncwh as [number, number, number, number] })],
      want: () => [refAvgpool2dBackward(avgDy, ncwh, avgO).data],
    },
    {
      name: 'softmax [3,300,4] axis 1 (cooperative, strided)',
      inputs: { x: smX },
      run: async (c, t) => [await c.softmax(t('x'), { axis: 1 })],
      want: () => [smY.data],
    },
    {
      name: 'softmax [50,10] last axis (serial)',
      inputs: { x: smRows },
      run: async (c, t) => [await c.softmax(t('x'))],
      want: () => [refSoftmax(smRows, -1).data],
    },
    {
      name: 'logSoftmax [3,300,4] axis 1',
      inputs: { x: smX },
      run: async (c, t) => [await c.logSoftmax(t('x'), { axis: 1 })],
      want: () => [lsmY.data],
    },
    {
      name: 'softmaxBackward [3,300,4] axis 1',
      inputs: { y: { data: f32(smY.data), shape: smX.shape }, dy: sDy },
      run: async (c, t) => [await c.softmaxBackward(t('y'), t('dy'), { axis: 1 })],
      want: () => [refSoftmaxBackward({ data: f32(smY.data), shape: smX.shape }, sDy, 1).data],
    },
    {
      name: 'logSoftmaxBackward [3,300,4] axis 1',
      inputs: { y: { data: f32(lsmY.data), shape: smX.shape }, dy: sDy },
      run: async (c, t) => [await c.logSoftmaxBackward(t('y'), t('dy'), { axis: 1 })],
      want: () => [refLogSoftmaxBackward({ data: f32(lsmY.data), shape: smX.shape }, sDy, 1).data],
    },
  ];

  for (const oc of cases) {
    it(`${oc.name}: one dispatch, against the float64 reference`, async () => {
      const stats: Counters[] = [];
      for (const c of [ctx, old]) {
        const ts: Record<string, Tensor> = {};
        for (const [k, v] of Object.entries(oc.inputs)) ts[k] = c.tensor(v.data, v.shape);
        const { d, outs } = await measure(c, () => oc.run(c, (k) => ts[k]!));
        stats.push(d);
        const want = oc.want();
        for (let i = 0; i < outs.length; i++) expectClose(await outs[i]!.read(), want[i]!, `${oc.name} output ${i} (${c === ctx ? 'WGSL' : 'gpu.js kernels'})`);
        for (const t of [...Object.values(ts), ...outs]) t.dispose();
      }
      const [w, g] = stats as [Counters, Counters];
      expect(w.launches).toBe(1);
      expect(w.uploads).toBe(0);
      expect(g.launches).toBeGreaterThanOrEqual(1);
      expect(w.bytesRead).toBeGreaterThan(0);
      rows.push(`  ${oc.name}: ${w.launches} (${g.launches}) dispatch, ${w.bytesRead} / ${w.bytesWritten} B (${g.bytesRead} / ${g.bytesWritten} B)`);
    });
  }
});
