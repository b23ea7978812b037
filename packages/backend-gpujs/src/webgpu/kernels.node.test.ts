/**
 * The WGSL kernels of the webgpu engine (tiled GEMM, implicit-GEMM convolution and weight
 * gradient, one-pass maxpool, softmax cross-entropy, writeBuffer upload, one-copy read) against the float64 loops of
 * @convkit/reference on shapes that are not multiples of the tiles, and the speed proxies they
 * exist for (dispatches, readback copies, mapAsync calls, modeled bytes, outputs per thread), each
 * compared with the gpu.js-language kernels of the same op (`wgsl: false`).
 *
 * Runs in Node on Dawn (the optional `webgpu` package) with SwiftShader (software): correctness and
 * counters only, no speed. Skipped, saying why, when no WebGPU adapter can be made here.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, createContext, type Context, type Tensor } from '@convkit/core';
import {
  compare,
  describeMismatch,
  mulberry32,
  refConv2d,
  refConv2dBackward,
  refGemm,
  refMaxpool2d,
  refSoftmaxCrossEntropy,
  type ConvOptions,
  type Tolerance,
} from '@convkit/reference';
import { register } from '../index.js';

const TOL: Tolerance = { atol: 1e-4, rtol: 1e-4 };

// WebGPU in Node: Dawn from the optional `webgpu` package on SwiftShader's Vulkan ICD
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
if (reason) console.warn(`\n[backend-gpujs] !!! WGSL kernel tests SKIPPED: ${reason}\n`);

function rand(n: number, seed: number, scale = 1): Float32Array {
  const r = mulberry32(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  const r = compare(got, want, TOL);
  expect(r.ok, `${what}: ${describeMismatch(r, TOL)}`).toBe(true);
  expect(got.length).toBe(want.length);
}

type Counters = Record<string, number>;
function counters(ctx: Context): Counters {
  return ctx.memory().backend as unknown as Counters;
}
function delta(a: Counters, b: Counters): Counters {
  const out: Counters = {};
  for (const k of ['launches', 'readbacks', 'readCopies', 'mapAsyncs', 'hostCopies', 'uploads', 'bytesRead', 'bytesWritten', 'threads', 'outputs']) {
    out[k] = (b[k] ?? 0) - (a[k] ?? 0);
  }
  return out;
}

/** Runs `op` on tensors already on the device and returns the counters it moved. */
async function measure(ctx: Context, op: () => Promise<Tensor[]>): Promise<{ d: Counters; outs: Tensor[] }> {
  const before = counters(ctx);
  const outs = await op();
  return { d: delta(before, counters(ctx)), outs };
}

describe.skipIf(!!reason)('gpujs webgpu WGSL kernels (Dawn + SwiftShader)', () => {
  let ctx: Context;
  let old: Context;
  beforeAll(async () => {
    const reg = register(new Registry());
    ctx = await createContext({ backend: 'gpujs', registry: reg, backendOptions: { mode: 'webgpu' } });
    old = await createContext({ backend: 'gpujs', registry: reg, backendOptions: { mode: 'webgpu', wgsl: false } });
  });
  afterAll(async () => {
    await ctx?.dispose();
    await old?.dispose();
  });

  it('runs on webgpu', () => {
    expect(ctx.engine).toBe('webgpu');
    expect(old.engine).toBe('webgpu');
  });

  const gemmCases: { m: number; n: number; k: number; transA?: boolean; transB?: boolean; alpha?: number; beta?: number; c?: boolean; bias?: boolean }[] = [
    { m: 1, n: 1, k: 1 },
    { m: 67, n: 45, k: 33 },
    { m: 130, n: 70, k: 19, transA: true },
    { m: 13, n: 150, k: 40, transB: true, bias: true },
    { m: 70, n: 20, k: 17, transA: true, transB: true, alpha: -0.5, beta: 0.75, c: true, bias: true },
    { m: 40, n: 66, k: 129, alpha: 2, beta: 0, c: true },
  ];
  for (const g of gemmCases) {
    it(`gemm ${g.m}x${g.n}x${g.k}${g.transA ? ' transA' : ''}${g.transB ? ' transB' : ''}${g.c ? ` beta=${g.beta}` : ''}${g.bias ? ' bias' : ''}: one dispatch, tiled`, async () => {
      const a = rand(g.m * g.k, 1 + g.m);
      const b = rand(g.k * g.n, 2 + g.n);
      const c = rand(g.m * g.n, 3);
      if (g.c && g.beta === 0) c[0] = NaN; // beta = 0 ignores C, NaN included
      const bias = rand(g.n, 4);
      const ta = ctx.tensor(a, g.transA ? [g.k, g.m] : [g.m, g.k]);
      const tb = ctx.tensor(b, g.transB ? [g.n, g.k] : [g.k, g.n]);
      const tc = g.c ? ctx.tensor(c, [g.m, g.n]) : null;
      const tbias = g.bias ? ctx.tensor(bias, [g.n]) : null;
      const o = { transA: g.transA, transB: g.transB, alpha: g.alpha, beta: g.beta, c: tc, bias: tbias };
      const first = await ctx.gemm(ta, tb, o); // uploads the inputs
      first.dispose();
      const { d, outs } = await measure(ctx, async () => [await ctx.gemm(ta, tb, o)]);
      expect(d.launches).toBe(1);
      expect(d.uploads).toBe(0);
      // 4x4 outputs per thread on full tiles
      expect(d.outputs / d.threads).toBeGreaterThan(g.m * g.n >= 4096 ? 4 : 0);
      const want = refGemm(
        { data: a, shape: g.transA ? [g.k, g.m] : [g.m, g.k] },
        { data: b, shape: g.transB ? [g.n, g.k] : [g.k, g.n] },
        { transA: g.transA, transB: g.transB, alpha: g.alpha, beta: g.beta, c: tc ? { data: c, shape: [g.m, g.n] } : undefined },
      );
      const wantData = Float64Array.from(want.data);
      if (g.bias) for (let i = 0; i < g.m; i++) for (let j = 0; j < g.n; j++) wantData[i * g.n + j]! += bias[j]!;
      const r0 = counters(ctx);
      const got = await outs[0]!.read();
      const r = delta(r0, counters(ctx));
      expect(r.readbacks).toBe(1);
      expect(r.readCopies).toBe(1);
      expect(r.mapAsyncs).toBe(1);
      expect(r.hostCopies).toBe(1);
      expectClose(got, wantData, 'gemm');
      for (const t of [ta, tb, tc, tbias, outs[0]]) t?.dispose();
    });
  }

  it('gemm 128x128x128: 16 outputs per thread, 1 dispatch vs the gpu.js kernel, and 1/64 of its modeled loads', async () => {
    const [m, n, k] = [128, 128, 128];
    const a = rand(m * k, 11);
    const b = rand(k * n, 12);
    const stats: Counters[] = [];
    for (const c of [ctx, old]) {
      const ta = c.tensor(a, [m, k]);
      const tb = c.tensor(b, [k, n]);
      (await c.gemm(ta, tb)).dispose();
      const { d, outs } = await measure(c, async () => [await c.gemm(ta, tb)]);
      stats.push(d);
      expectClose(await outs[0]!.read(), refGemm({ data: a, shape: [m, k] }, { data: b, shape: [k, n] }).data, 'gemm 128');
      for (const t of [ta, tb, outs[0]!]) t.dispose();
    }
    const [now, before] = stats as [Counters, Counters];
    expect(now.launches).toBe(1);
    expect(before.launches).toBe(1);
    expect(now.outputs / now.threads).toBe(16);
    expect(before.outputs / before.threads).toBe(1);
    // 64x64 tiles: each A row is loaded by n/64 workgroups instead of by n threads
    expect(before.bytesRead / now.bytesRead).toBe(64);
  });

  const convCases: { name: string; x: [number, number, number, number]; w: [number, number, number, number]; o: ConvOptions; bias?: boolean }[] = [
    { name: '3x3 same, bias', x: [2, 5, 13, 11], w: [7, 5, 3, 3], o: {}, bias: true },
    { name: '5x5 stride 2 valid', x: [3, 3, 17, 19], w: [33, 3, 5, 5], o: { stride: 2, padding: 'valid' } },
    { name: '3x3 dilation 2, explicit padding', x: [1, 4, 12, 9], w: [70, 4, 3, 3], o: { dilation: 2, padding: [2, 1, 0, 3] }, bias: true },
    { name: '1x1', x: [2, 9, 7, 6], w: [18, 9, 1, 1], o: {} },
    { name: 'groups 3, stride [2,1]', x: [2, 6, 10, 9], w: [9, 2, 3, 3], o: { groups: 3, stride: [2, 1] }, bias: true },
    { name: 'depthwise', x: [1, 8, 9, 9], w: [8, 1, 3, 3], o: { groups: 8 } },
    { name: 'replicate pad', x: [1, 3, 8, 7], w: [5, 3, 3, 3], o: { padMode: 'replicate', padding: 2 } },
    { name: 'circular pad', x: [2, 2, 5, 6], w: [4, 2, 3, 3], o: { padMode: 'circular', padding: 3 } },
    { name: 'reflect pad + flip', x: [1, 3, 6, 5], w: [6, 3, 3, 2], o: { padMode: 'reflect', padding: [2, 2, 1, 1], flip: true } },
    { name: 'flip, zeros', x: [2, 3, 9, 8], w: [5, 3, 4, 3], o: { flip: true, stride: 2 }, bias: true },
  ];
  for (const c of convCases) {
    it(`conv2d ${c.name}: one dispatch, no columns tensor`, async () => {
      const xs = c.x.reduce((p, v) => p * v, 1);
      const ws = c.w.reduce((p, v) => p * v, 1);
      const x = rand(xs, xs);
      const w = rand(ws, ws, 0.5);
      const bias = rand(c.w[0], 5);
      const tx = ctx.tensor(x, c.x);
      const tw = ctx.tensor(w, c.w);
      const tb = c.bias ? ctx.tensor(bias, [c.w[0]]) : null;
      (await ctx.conv2d(tx, tw, { ...c.o, bias: tb })).dispose();
      const hb = counters(ctx).bytes!;
      const { d, outs } = await measure(ctx, async () => [await ctx.conv2d(tx, tw, { ...c.o, bias: tb })]);
      expect(d.launches).toBe(1);
      // only the output was allocated: no columns tensor
      expect(counters(ctx).bytes! - hb).toBe(outs[0]!.size * 4);
      const want = refConv2d({ data: x, shape: c.x }, { data: w, shape: c.w }, tb ? { data: bias, shape: [c.w[0]] } : null, c.o);
      expect(outs[0]!.shape).toEqual(want.shape);
      expectClose(await outs[0]!.read(), want.data, `conv2d ${c.name}`);
      for (const t of [tx, tw, tb, outs[0]]) t?.dispose();
    });
  }

  it('conv2d keeps IEEE specials: Inf and NaN in x propagate as in the reference', async () => {
    const x = rand(2 * 3 * 7 * 7, 21);
    x[10] = Infinity;
    x[60] = NaN;
    x[130] = -Infinity;
    const w = rand(4 * 3 * 3 * 3, 22);
    const tx = ctx.tensor(x, [2, 3, 7, 7]);
    const tw = ctx.tensor(w, [4, 3, 3, 3]);
    const y = await ctx.conv2d(tx, tw, {});
    const want = refConv2d({ data: x, shape: [2, 3, 7, 7] }, { data: w, shape: [4, 3, 3, 3] }, null, {});
    expectClose(await y.read(), want.data, 'conv2d specials');
    for (const t of [tx, tw, y]) t.dispose();
  });

  it('conv2d 3x3 N2 C16 20x20 K32: the implicit GEMM computes 8+ outputs per thread and loads far less than the direct kernel', async () => {
    const xs: [number, number, number, number] = [2, 16, 20, 20];
    const ws: [number, number, number, number] = [32, 16, 3, 3];
    const x = rand(2 * 16 * 400, 31);
    const w = rand(32 * 16 * 9, 32, 0.3);
    const stats: Counters[] = [];
    for (const c of [ctx, old]) {
      const tx = c.tensor(x, xs);
      const tw = c.tensor(w, ws);
      (await c.conv2d(tx, tw)).dispose();
      const { d, outs } = await measure(c, async () => [await c.conv2d(tx, tw)]);
      stats.push(d);
      expectClose(await outs[0]!.read(), refConv2d({ data: x, shape: xs }, { data: w, shape: ws }, null, {}).data, 'conv 20x20');
      for (const t of [tx, tw, outs[0]!]) t.dispose();
    }
    const [now, before] = stats as [Counters, Counters];
    expect(now.launches).toBe(1);
    expect(before.launches).toBe(1);
    expect(now.outputs / now.threads).toBeGreaterThanOrEqual(8);
    expect(before.outputs / before.threads).toBe(1);
    expect(before.bytesRead / now.bytesRead).toBeGreaterThan(10);
  });

  it('maxpool2d: values and window offsets in one dispatch; ties, NaN, empty windows as the reference', async () => {
    const shape: [number, number, number, number] = [2, 3, 9, 7];
    const x = rand(2 * 3 * 63, 41);
    for (let i = 0; i < x.length; i += 7) x[i] = 0.25; // ties
    x[5] = NaN;
    x[6] = NaN;
    x[100] = -Infinity;
    const tx = ctx.tensor(x, shape);
    for (const o of [{ kernel: 2 }, { kernel: 3, stride: 2 }, { kernel: [3, 2] as [number, number], stride: 1, padding: 'valid' as const }, { kernel: 2, padding: [1, 1, 1, 1] as [number, number, number, number] }]) {
      (await ctx.maxpool2d(tx, o)).y.dispose();
      const { d, outs } = await measure(ctx, async () => {
        const r = await ctx.maxpool2d(tx, o);
        return [r.y, r.indices];
      });
      expect(d.launches).toBe(1);
      const want = refMaxpool2d({ data: x, shape }, o);
      expectClose(await outs[0]!.read(), want.y.data, `maxpool ${JSON.stringify(o)}`);
      expect(Array.from(await outs[1]!.read())).toEqual(Array.from(want.indices.data));
      for (const t of outs) t.dispose();
    }
    tx.dispose();
  });

  it('maxpool2d 2x2 N2 C4 16x16: one dispatch instead of two, each input read once', async () => {
    const shape: [number, number, number, number] = [2, 4, 16, 16];
    const x = rand(2 * 4 * 256, 51);
    const stats: Counters[] = [];
    for (const c of [ctx, old]) {
      const tx = c.tensor(x, shape);
      const r0 = await c.maxpool2d(tx, { kernel: 2 });
      r0.y.dispose();
      r0.indices.dispose();
      const { d, outs } = await measure(c, async () => {
        const r = await c.maxpool2d(tx, { kernel: 2 });
        return [r.y, r.indices];
      });
      stats.push(d);
      const want = refMaxpool2d({ data: x, shape }, { kernel: 2 });
      expectClose(await outs[0]!.read(), want.y.data, 'maxpool');
      expect(Array.from(await outs[1]!.read())).toEqual(Array.from(want.indices.data));
      for (const t of [tx, ...outs]) t.dispose();
    }
    const [now, before] = stats as [Counters, Counters];
    expect(now.launches).toBe(1);
    expect(before.launches).toBe(2);
    expect(now.bytesRead).toBe(x.length * 4);
    expect(before.bytesRead).toBe(2 * x.length * 4);
  });

  const xentCases: [number, number][] = [[1, 1], [3, 5], [70, 10], [2, 1000], [130, 3]];
  for (const [n, k] of xentCases) {
    it(`softmaxCrossEntropy ${n}x${k}: probs and loss as the float64 reference, one op of two dispatches`, async () => {
      const lv = rand(n * k, 91 + n + k, 8);
      const lab = Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % k);
      const tl = ctx.tensor(lv, [n, k]);
      const tlab = ctx.tensor(lab, [n]);
      (await ctx.softmaxCrossEntropy(tl, tlab)).probs.dispose();
      const { d, outs } = await measure(ctx, async () => {
        const r = await ctx.softmaxCrossEntropy(tl, tlab);
        return [r.probs, r.loss];
      });
      expect(d.launches).toBe(2);
      expect(d.uploads).toBe(1); // the labels, as small floats
      const want = refSoftmaxCrossEntropy({ data: lv, shape: [n, k] }, lab);
      expectClose(await outs[0]!.read(), want.probs.data, 'probs');
      expectClose(await outs[1]!.read(), want.loss.data, 'loss');
      for (const t of [tl, tlab, ...outs]) t.dispose();
    });
  }

  it('softmaxCrossEntropy IEEE specials, decided on bit patterns: NaN / +Inf / all -Inf rows are NaN, -Inf has probability 0', async () => {
    const K = 4;
    // rows: 0 NaN, 1 +Inf, 2 all -Inf, 3 one -Inf (label elsewhere), 4 finite, 5 +Inf and -Inf, 6 huge finite (x - max overflows to -Inf)
    const lv = Float32Array.from([
      1, NaN, 2, 3,
      0.5, Infinity, -1, 2,
      -Infinity, -Infinity, -Infinity, -Infinity,
      1, -Infinity, 2, 0,
      0.25, -0.5, 3, 1,
      -Infinity, 1, Infinity, 0,
      3e38, -3e38, 1e38, 0,
    ]);
    const n = lv.length / K;
    const lab = Int32Array.from([0, 1, 2, 2, 3, 0, 0]);
    const tl = ctx.tensor(lv, [n, K]);
    const tlab = ctx.tensor(lab, [n]);
    const r = await ctx.softmaxCrossEntropy(tl, tlab);
    const probs = await r.probs.read();
    for (const row of [0, 1, 2, 5]) for (let j = 0; j < K; j++) expect(Number.isNaN(probs[row * K + j]!), `probs[${row}, ${j}] = ${probs[row * K + j]}`).toBe(true);
    expect(probs[3 * K + 1]).toBe(0);
    expect(probs[6 * K + 1]).toBe(0);
    expect(probs[6 * K + 0]).toBe(1);
    for (const row of [3, 4, 6]) {
      const want = refSoftmaxCrossEntropy({ data: lv.slice(row * K, row * K + K), shape: [1, K] }, [lab[row]!]);
      expectClose(probs.slice(row * K, row * K + K), want.probs.data, `row ${row} probs`);
    }
    expect(Number.isNaN((await r.loss.read())[0]!), 'a NaN row makes the loss NaN').toBe(true);
    for (const t of [tl, tlab, r.probs, r.loss]) t.dispose();
  });

  it('softmaxCrossEntropy: a -Infinity logit at the label gives a +Infinity loss; finite rows keep the reference loss', async () => {
    const lv = Float32Array.from([1, -Infinity, 2, 0.5, 0.25, -1]);
    const tl = ctx.tensor(lv, [2, 3]);
    const inf = ctx.tensor(Int32Array.from([1, 0]), [2]);
    const fin = ctx.tensor(Int32Array.from([2, 0]), [2]);
    const r1 = await ctx.softmaxCrossEntropy(tl, inf);
    expect((await r1.loss.read())[0]).toBe(Infinity);
    const r2 = await ctx.softmaxCrossEntropy(tl, fin);
    const want = refSoftmaxCrossEntropy({ data: lv, shape: [2, 3] }, [2, 0]);
    expect(Number.isFinite(want.loss.data[0]!)).toBe(true);
    expectClose(await r2.loss.read(), want.loss.data, 'loss');
    expectClose(await r2.probs.read(), want.probs.data, 'probs');
    expect((await r2.probs.read())[1]).toBe(0);
    for (const t of [tl, inf, fin, r1.loss, r1.probs, r2.loss, r2.probs]) t.dispose();
  });

  it('softmaxCrossEntropy: a bad label is rejected before any work and leaves no buffer behind; repeated ops are flat', async () => {
    const tl = ctx.tensor(rand(12, 97), [4, 3]);
    const good = ctx.tensor(Int32Array.from([0, 1, 2, 0]), [4]);
    const bad = ctx.tensor(Int32Array.from([0, 3, 2, 0]), [4]);
    const once = async () => {
      const r = await ctx.softmaxCrossEntropy(tl, good);
      r.loss.dispose();
      r.probs.dispose();
    };
    await once();
    const m0 = counters(ctx);
    await expect(ctx.softmaxCrossEntropy(tl, bad)).rejects.toThrow('label 3 at sample 1');
    await once();
    await once();
    const m1 = counters(ctx);
    expect(m1.buffers).toBe(m0.buffers);
    expect(m1.bytes).toBe(m0.bytes);
    expect(m1.kernels).toBe(m0.kernels);
    expect(m1.launches - m0.launches).toBe(4);
    for (const t of [tl, good, bad]) t.dispose();
  });

  it('upload is a writeBuffer, no kernel; the gpu.js path uploads with a copy kernel', async () => {
    const v = rand(1000, 61);
    for (const [c, launches] of [[ctx, 0], [old, 1]] as const) {
      const t = c.tensor(v, [10, 100]);
      const b = c.tensor(rand(100 * 3, 62), [100, 3]);
      const before = counters(c);
      const y = await c.gemm(t, b);
      const d = delta(before, counters(c));
      expect(d.launches - 1).toBe(2 * launches); // two uploads + the gemm
      for (const x of [t, b, y]) x.dispose();
    }
  });

  // dwLaunches: 2 when K = N*outH*outW is long enough to split (split-K + reduction); dxLaunches: 1
  // for zeros padding (implicit GEMM), 1 gpu.js gather kernel for the other pad modes
  const bwdCases: { name: string; x: [number, number, number, number]; w: [number, number, number, number]; o: ConvOptions; dwLaunches: number }[] = [
    { name: '3x3 same', x: [2, 5, 11, 9], w: [7, 5, 3, 3], o: {}, dwLaunches: 1 },
    { name: 'stride 2 dilation 2, groups 2, flip', x: [2, 4, 13, 12], w: [6, 2, 3, 3], o: { stride: 2, dilation: 2, groups: 2, flip: true }, dwLaunches: 1 },
    { name: 'reflect pad', x: [1, 3, 7, 8], w: [66, 3, 3, 3], o: { padMode: 'reflect', padding: 1 }, dwLaunches: 1 },
    { name: 'split-K dW, stride [1,2], explicit padding', x: [4, 3, 21, 37], w: [5, 3, 3, 3], o: { stride: [1, 2], padding: [1, 2, 0, 1] }, dwLaunches: 2 },
    { name: 'split-K dW, flip, groups 3', x: [3, 6, 19, 23], w: [9, 2, 2, 3], o: { flip: true, groups: 3 }, dwLaunches: 2 },
  ];
  for (const c of bwdCases) {
    it(`conv2dBackward ${c.name}: dW and dx as implicit GEMMs`, async () => {
      const xs = c.x.reduce((p, v) => p * v, 1);
      const ws = c.w.reduce((p, v) => p * v, 1);
      const x = rand(xs, 71 + xs);
      const w = rand(ws, 72 + ws, 0.5);
      const y = refConv2d({ data: x, shape: c.x }, { data: w, shape: c.w }, null, c.o);
      const dy = rand(y.data.length, 73);
      const tx = ctx.tensor(x, c.x);
      const tw = ctx.tensor(w, c.w);
      const tdy = ctx.tensor(dy, y.shape);
      // first use uploads x, w and dy
      const all = await ctx.conv2dBackward(tx, tw, tdy, c.o);
      const { d, outs } = await measure(ctx, async () => {
        const r = await ctx.conv2dBackward(tx, tw, tdy, { ...c.o, wants: { dx: false, dw: true, db: false } });
        return [r.dw!];
      });
      expect(d.launches).toBe(c.dwLaunches);
      const hb = counters(ctx).bytes!;
      const dxOnly = await measure(ctx, async () => {
        const r = await ctx.conv2dBackward(tx, tw, tdy, { ...c.o, wants: { dx: true, dw: false, db: false } });
        return [r.dx!];
      });
      expect(dxOnly.d.launches).toBe(1);
      // split-K partials are freed with the op; dx allocates only itself
      expect(counters(ctx).bytes! - hb).toBe(xs * 4);
      dxOnly.outs[0]!.dispose();
      const want = refConv2dBackward({ data: x, shape: c.x }, { data: w, shape: c.w }, { data: dy, shape: y.shape }, c.o);
      expectClose(await outs[0]!.read(), want.dw.data, `dw ${c.name}`);
      expectClose(await all.dw!.read(), want.dw.data, `dw (all) ${c.name}`);
      expectClose(await all.dx!.read(), want.dx.data, `dx ${c.name}`);
      expectClose(await all.db!.read(), want.db.data, `db ${c.name}`);
      for (const t of [tx, tw, tdy, outs[0], all.dx, all.dw, all.db]) t?.dispose();
    });
  }

  it('WGSL and gpu.js kernels take each other\'s buffers: gemm (WGSL) -> relu (gpu.js) -> gemm (WGSL)', async () => {
    const a = rand(9 * 7, 91);
    const b = rand(7 * 5, 92);
    const c = rand(5 * 6, 93);
    const ta = ctx.tensor(a, [9, 7]);
    const tb = ctx.tensor(b, [7, 5]);
    const tc = ctx.tensor(c, [5, 6]);
    const h = await ctx.gemm(ta, tb);
    const r = await ctx.relu(h);
    const before = counters(ctx);
    const y = await ctx.gemm(r, tc);
    expect(delta(before, counters(ctx)).uploads).toBe(1); // c only: the relu output stays on the device
    const h64 = refGemm({ data: a, shape: [9, 7] }, { data: b, shape: [7, 5] }).data.map((v) => Math.max(0, v));
    const want = refGemm({ data: h64, shape: [9, 5] }, { data: c, shape: [5, 6] });
    expectClose(await y.read(), want.data, 'gemm relu gemm');
    for (const t of [ta, tb, tc, h, r, y]) t.dispose();
  });

  it('frees every intermediate: live buffers are flat over repeated ops', async () => {
    const tx = ctx.tensor(rand(2 * 3 * 10 * 10, 81), [2, 3, 10, 10]);
    const tw = ctx.tensor(rand(8 * 3 * 3 * 3, 82), [8, 3, 3, 3]);
    const run = async () => {
      const y = await ctx.conv2d(tx, tw);
      const p = await ctx.maxpool2d(y, { kernel: 2 });
      const g = await ctx.conv2dBackward(tx, tw, y);
      for (const t of [y, p.y, p.indices, g.dx!, g.dw!, g.db!]) t.dispose();
    };
    await run();
    const m0 = counters(ctx);
    await run();
    await run();
    const m1 = counters(ctx);
    expect(m1.buffers).toBe(m0.buffers);
    expect(m1.bytes).toBe(m0.bytes);
    expect(m1.kernels).toBe(m0.kernels);
    tx.dispose();
    tw.dispose();
  });
});
