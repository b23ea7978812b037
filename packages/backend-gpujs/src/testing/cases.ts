/**
 * Conformance cases for the gpujs backend, runner-agnostic and browser-safe: each case builds
 * inputs with a seeded generator, runs the op through a core Context and compares against the
 * float64 loops of @convkit/reference (or the uwnet golden data), throwing on a mismatch. The
 * Node tests (vitest) and the browser page (playwright) run the same list.
 *
 * `quick` cases are the subset for slow software-GL modes; `full` adds more geometries.
 */
import type { Context, Tensor } from '@convkit/core';
import {
  compare,
  describeMismatch,
  mulberry32,
  readMatrix,
  refCol2im,
  refConv1d,
  refConv2d,
  refConv2dBackward,
  refAdd,
  refAvgpool2d,
  refAvgpool2dBackward,
  refBatchNorm2d,
  refBatchNorm2dBackward,
  refDense,
  refDenseBackward,
  refGlobalAvgPool2d,
  refGlobalAvgPool2dBackward,
  refLogSoftmax,
  refLogSoftmaxBackward,
  refMul,
  refReduceTo,
  refSoftmax,
  refSoftmaxBackward,
  refGemm,
  refIm2col,
  refMaxpool2d,
  refMaxpool2dBackward,
  refRelu,
  refReluBackward,
  refSgd,
  refSoftmaxCrossEntropy,
  refSoftmaxCrossEntropyBackward,
  type AvgPoolOptions,
  type ConvOptions,
  type MaxPoolOptions,
  type PadMode,
  type Tolerance,
  type UwMatrix,
} from '@convkit/reference';

export type Level = 'quick' | 'full';

export interface CaseEnv {
  /** a uwnet golden matrix by file name, or null when the data is absent */
  golden(name: string): Promise<UwMatrix | null>;
}

export interface Case {
  name: string;
  level: Level;
  run(ctx: Context, env: CaseEnv): Promise<string | void>;
}

export interface CaseResult {
  name: string;
  ok: boolean;
  skipped?: boolean;
  detail: string;
  engine: string;
}

export class Skip extends Error {}

const rng = mulberry32;

/** Unit-scale float32 data in [-1, 1). */
function randf(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * CONVENTIONS.md: a 32-bit float path meets atol = rtol = 1e-4 on unit-scale data, scaled by the
 * reduction length where sums are long. Reason for the scaling: f32 rounding error of a sum of L
 * unit-scale terms grows with L; we allow 1e-4 per 1000 terms beyond the first 1000.
 */
export function tol(reduction = 1): Tolerance {
  const s = Math.max(1, reduction / 1000);
  return { atol: 1e-4 * s, rtol: 1e-4 };
}

export function expectClose(what: string, got: ArrayLike<number>, expected: ArrayLike<number>, t: Tolerance): void {
  const r = compare(got, expected, t);
  if (!r.ok) throw new Error(`${what}: ${describeMismatch(r, t)}`);
}

export function expectExact(what: string, got: ArrayLike<number>, expected: ArrayLike<number>): void {
  if (got.length !== expected.length) throw new Error(`${what}: length ${got.length}, expected ${expected.length}`);
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== expected[i]) throw new Error(`${what}: element ${i} is ${got[i]}, expected ${expected[i]} (exact)`);
  }
}

function expectShape(what: string, t: Tensor, shape: readonly number[]): void {
  if (t.shape.join(',') !== shape.join(',')) throw new Error(`${what}: shape [${t.shape}] expected [${shape}]`);
}

// ---------------------------------------------------------------------------------------------
interface ConvCfg {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  o: ConvOptions;
  bias?: boolean;
  level: Level;
}

const CONV_CFGS: ConvCfg[] = [
  { name: 'k3 same zeros bias', x: [2, 3, 7, 6], w: [4, 3, 3, 3], o: {}, bias: true, level: 'quick' },
  { name: 'k4 same reflect (even kernel centring)', x: [1, 2, 6, 7], w: [5, 2, 4, 4], o: { padMode: 'reflect' }, level: 'quick' },
  { name: 'stride2 dilation2 explicit pad replicate', x: [2, 3, 9, 8], w: [6, 3, 3, 2], o: { stride: 2, dilation: 2, padding: [1, 2, 0, 1], padMode: 'replicate' }, bias: true, level: 'quick' },
  { name: 'groups2 circular flip', x: [1, 4, 6, 5], w: [6, 2, 3, 3], o: { groups: 2, padMode: 'circular', flip: true }, bias: true, level: 'quick' },
  { name: 'depthwise stride [2,1] valid', x: [2, 3, 8, 7], w: [3, 1, 3, 3], o: { groups: 3, stride: [2, 1], padding: 'valid' }, level: 'full' },
  { name: '1x1', x: [2, 5, 4, 4], w: [7, 5, 1, 1], o: { padding: 'valid' }, bias: true, level: 'full' },
  { name: 'k5 same reflect stride 3 flip', x: [1, 3, 11, 10], w: [8, 3, 5, 5], o: { stride: 3, padMode: 'reflect', flip: true }, level: 'full' },
  { name: 'k2 same circular dilation [1,2]', x: [2, 2, 5, 9], w: [6, 2, 2, 3], o: { dilation: [1, 2], padMode: 'circular' }, bias: true, level: 'full' },
];

function convCases(algo: string): Case[] {
  const out: Case[] = [];
  CONV_CFGS.forEach((c, i) => {
    out.push({
      name: `conv2d forward ${c.name} [${algo}]`,
      level: c.level,
      async run(ctx) {
        const xd = randf(size(c.x), 100 + i);
        const wd = randf(size(c.w), 200 + i);
        const bd = c.bias ? randf(c.w[0], 300 + i) : null;
        const x = ctx.tensor(xd, c.x);
        const w = ctx.tensor(wd, c.w);
        const b = bd ? ctx.tensor(bd, [c.w[0]]) : null;
        const y = await ctx.conv2d(x, w, { ...c.o, bias: b });
        const ref = refConv2d({ data: xd, shape: c.x }, { data: wd, shape: c.w }, bd ? { data: bd, shape: [c.w[0]] } : null, c.o);
        expectShape('y', y, ref.shape);
        expectClose('y', await y.read(), ref.data, tol(c.w[1] * c.w[2] * c.w[3]));
        for (const t of [x, w, y, b]) t?.dispose();
      },
    });
    out.push({
      name: `conv2d backward ${c.name} [${algo}]`,
      level: c.level,
      async run(ctx) {
        const xd = randf(size(c.x), 400 + i);
        const wd = randf(size(c.w), 500 + i);
        const probe = refConv2d({ data: xd, shape: c.x }, { data: wd, shape: c.w }, null, c.o);
        const dyd = randf(size(probe.shape), 600 + i);
        const x = ctx.tensor(xd, c.x);
        const w = ctx.tensor(wd, c.w);
        const dy = ctx.tensor(dyd, probe.shape);
        const r = await ctx.conv2dBackward(x, w, dy, c.o);
        const ref = refConv2dBackward({ data: xd, shape: c.x }, { data: wd, shape: c.w }, { data: dyd, shape: probe.shape }, c.o);
        const P = probe.shape[2]! * probe.shape[3]!;
        expectClose('dx', await r.dx!.read(), ref.dx.data, tol(c.w[0] * c.w[2] * c.w[3]));
        expectClose('dw', await r.dw!.read(), ref.dw.data, tol(c.x[0] * P));
        expectClose('db', await r.db!.read(), ref.db.data, tol(c.x[0] * P));
        for (const t of [x, w, dy, r.dx, r.dw, r.db]) t?.dispose();
      },
    });
  });
  return out;
}

const IM2COL_CFGS: { name: string; x: [number, number, number, number]; o: { kernel: [number, number]; stride?: [number, number]; dilation?: [number, number]; padding?: 'same' | 'valid' | [number, number, number, number]; padMode?: PadMode }; level: Level }[] = [
  { name: 'k3 same zeros', x: [2, 2, 5, 6], o: { kernel: [3, 3] }, level: 'quick' },
  { name: 'k3 s2 d1 reflect', x: [1, 3, 7, 6], o: { kernel: [3, 3], stride: [2, 2], padMode: 'reflect' }, level: 'quick' },
  { name: 'k[2,3] explicit pad replicate dilation 2', x: [1, 2, 6, 7], o: { kernel: [2, 3], dilation: [2, 2], padding: [2, 1, 1, 3], padMode: 'replicate' }, level: 'quick' },
  { name: 'k4 same circular stride [1,2]', x: [2, 1, 5, 5], o: { kernel: [4, 4], stride: [1, 2], padMode: 'circular' }, level: 'full' },
  { name: 'k3 big pad reflect', x: [1, 1, 4, 4], o: { kernel: [3, 3], padding: [2, 2, 3, 1], padMode: 'reflect' }, level: 'full' },
];

function im2colCases(): Case[] {
  return IM2COL_CFGS.flatMap((c, i): Case[] => [
    {
      name: `im2col ${c.name}`,
      level: c.level,
      async run(ctx) {
        const xd = randf(size(c.x), 700 + i);
        const x = ctx.tensor(xd, c.x);
        const cols = await ctx.im2col(x, c.o);
        const ref = refIm2col({ data: xd, shape: c.x }, c.o);
        expectShape('cols', cols, ref.shape);
        expectClose('cols', await cols.read(), ref.data, tol());
        x.dispose();
        cols.dispose();
      },
    },
    {
      name: `col2im ${c.name}`,
      level: c.level,
      async run(ctx) {
        const shape = refIm2col({ data: new Float32Array(size(c.x)), shape: c.x }, c.o).shape;
        const cd = randf(size(shape), 800 + i);
        const cols = ctx.tensor(cd, shape);
        const img = await ctx.col2im(cols, { ...c.o, inputShape: c.x });
        const ref = refCol2im({ data: cd, shape }, { ...c.o, inputShape: c.x });
        expectClose('image', await img.read(), ref.data, tol());
        cols.dispose();
        img.dispose();
      },
    },
  ]);
}

const POOL_CFGS: { name: string; x: [number, number, number, number]; o: MaxPoolOptions; level: Level }[] = [
  { name: 'k2 s2', x: [2, 3, 6, 7], o: { kernel: 2 }, level: 'quick' },
  { name: 'k3 s2 same (window from -1)', x: [2, 2, 7, 8], o: { kernel: 3, stride: 2 }, level: 'quick' },
  { name: 'k3 s1 overlapping', x: [1, 2, 5, 6], o: { kernel: 3, stride: 1 }, level: 'quick' },
  { name: 'k[2,3] s[2,2] valid ceil', x: [1, 3, 7, 8], o: { kernel: [2, 3], stride: [2, 2], padding: 'valid', ceilMode: true }, level: 'full' },
  { name: 'k3 s2 explicit pad', x: [2, 1, 6, 6], o: { kernel: 3, stride: 2, padding: [1, 1, 0, 1] }, level: 'full' },
  { name: 'k2 s2 windows wholly in the padding (-Infinity, index -1)', x: [1, 2, 4, 4], o: { kernel: 2, stride: 2, padding: [2, 0, 2, 0] }, level: 'quick' },
];

/** Data with many exact ties and some NaNs, to pin the first-max and last-NaN rules. */
function poolData(n: number, seed: number, nan: boolean): Float32Array {
  const r = rng(seed);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.floor(r() * 5) - 2;
  // pairs of NaNs, often in one window: pins the last-NaN index rule
  if (nan) for (let i = 0; i < n; i += 37) { d[i] = NaN; if (i + 1 < n) d[i + 1] = NaN; }
  return d;
}

function poolCases(): Case[] {
  const out: Case[] = [];
  POOL_CFGS.forEach((c, i) => {
    out.push({
      name: `maxpool2d forward+backward ${c.name} (ties, NaN)`,
      level: c.level,
      async run(ctx) {
        const xd = poolData(size(c.x), 900 + i, true);
        const x = ctx.tensor(xd, c.x);
        const { y, indices } = await ctx.maxpool2d(x, c.o);
        const ref = refMaxpool2d({ data: xd, shape: c.x }, c.o);
        expectShape('y', y, ref.y.shape);
        expectClose('y', await y.read(), ref.y.data, tol());
        expectExact('indices', await indices.read(), ref.indices.data);
        const dyd = randf(size(ref.y.shape), 1000 + i);
        const dy = ctx.tensor(dyd, ref.y.shape);
        const dx = await ctx.maxpool2dBackward(dy, indices, { ...c.o, inputShape: c.x });
        const rdx = refMaxpool2dBackward({ data: dyd, shape: ref.y.shape }, ref.indices, c.x);
        expectClose('dx', await dx.read(), rdx.data, tol(9));
        // the same backward from host-written indices (converted and range-checked on the host)
        const hostIdx = ctx.tensor(new Int32Array(ref.indices.data), ref.indices.shape);
        const dx2 = await ctx.maxpool2dBackward(dy, hostIdx, { ...c.o, inputShape: c.x });
        expectClose('dx (host indices)', await dx2.read(), rdx.data, tol(9));
        for (const t of [x, y, indices, dy, dx, hostIdx, dx2]) t.dispose();
      },
    });
  });
  return out;
}

/** Indices exact beyond 2^16 (and beyond what f32 could hold as an index in half precision). */
export function largePoolCase(shape: [number, number, number, number], level: Level): Case {
  return {
    name: `maxpool2d indices exact on ${size(shape)} elements (> 2^16)`,
    level,
    async run(ctx) {
      const xd = randf(size(shape), 4242);
      const x = ctx.tensor(xd, shape);
      const o: MaxPoolOptions = { kernel: 3, stride: 2 };
      const { y, indices } = await ctx.maxpool2d(x, o);
      const ref = refMaxpool2d({ data: xd, shape }, o);
      expectExact('indices', await indices.read(), ref.indices.data);
      expectClose('y', await y.read(), ref.y.data, tol());
      const idx = await indices.read();
      let maxIdx = 0;
      for (const v of idx) maxIdx = Math.max(maxIdx, v);
      if (maxIdx < 2 ** 16) throw new Error(`largest index ${maxIdx} does not exceed 2^16`);
      const dyd = randf(size(ref.y.shape), 4343);
      const dy = ctx.tensor(dyd, ref.y.shape);
      const dx = await ctx.maxpool2dBackward(dy, indices, { ...o, inputShape: shape });
      expectClose('dx', await dx.read(), refMaxpool2dBackward({ data: dyd, shape: ref.y.shape }, ref.indices, shape).data, tol(9));
      for (const t of [x, y, indices, dy, dx]) t.dispose();
      return `largest index ${maxIdx}`;
    },
  };
}

function miscCases(): Case[] {
  return [
    {
      name: 'worked 2-D example (valid, stride 1)',
      level: 'quick',
      async run(ctx) {
        const I = [0,1,1,1,0,0,0, 0,0,1,1,1,0,0, 0,0,0,1,1,1,0, 0,0,0,1,1,0,0, 0,0,1,1,0,0,0, 0,1,1,0,0,0,0, 1,1,0,0,0,0,0];
        const K = [1, 0, 1, 0, 1, 0, 1, 0, 1];
        const x = ctx.tensor(I, [1, 1, 7, 7]);
        const w = ctx.tensor(K, [1, 1, 3, 3]);
        const y = await ctx.conv2d(x, w, { padding: 'valid' });
        expectExact('y', await y.read(), [1,4,3,4,1, 1,2,4,3,3, 1,2,3,4,1, 1,3,3,1,1, 3,3,1,1,0]);
        for (const t of [x, w, y]) t.dispose();
      },
    },
    {
      name: 'conv1d worked example',
      level: 'quick',
      async run(ctx) {
        const m = [0, 1, 2, 3, 2, 5, 6, 7, 8, 14, 10, 11, 12, 8, 14];
        const x = ctx.tensor(m, [1, 1, 15]);
        const w = ctx.tensor([-1, 2, -1], [1, 1, 3]);
        const y = await ctx.conv1d(x, w, { padding: 'valid' });
        expectExact('y', await y.read(), [0, 0, 2, -4, 2, 0, 0, -5, 10, -5, 0, 5, -10]);
        const ref = refConv1d({ data: m, shape: [1, 1, 15] }, { data: [-1, 2, -1], shape: [1, 1, 3] }, null, { padding: 'same', padMode: 'reflect' });
        const y2 = await ctx.conv1d(x, w, { padding: 'same', padMode: 'reflect' });
        expectClose('y same reflect', await y2.read(), ref.data, tol());
        for (const t of [x, w, y, y2]) t.dispose();
      },
    },
    {
      name: 'gemm transA/transB/alpha/beta/bias, k not a multiple of 4',
      level: 'quick',
      async run(ctx) {
        for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
          const m = 5, n = 7, k = 13;
          const ad = randf(m * k, 11), bd = randf(k * n, 12), cd = randf(m * n, 13), bias = randf(n, 14);
          const aS = ta ? [k, m] : [m, k];
          const bS = tb ? [n, k] : [k, n];
          const a = ctx.tensor(ad, aS), b = ctx.tensor(bd, bS), c = ctx.tensor(cd, [m, n]), bi = ctx.tensor(bias, [n]);
          const y = await ctx.gemm(a, b, { transA: ta, transB: tb, alpha: 0.5, beta: -2, c, bias: bi });
          const ref = refGemm({ data: ad, shape: aS }, { data: bd, shape: bS }, { transA: ta, transB: tb, alpha: 0.5, beta: -2, c: { data: cd, shape: [m, n] }, bias: { data: bias, shape: [n] } });
          expectClose(`gemm ta=${ta} tb=${tb}`, await y.read(), ref.data, tol(k));
          for (const t of [a, b, c, bi, y]) t.dispose();
        }
      },
    },
    {
      name: 'gemm long reduction (k = 1000)',
      level: 'full',
      async run(ctx) {
        const m = 9, n = 11, k = 1000;
        const ad = randf(m * k, 21), bd = randf(k * n, 22);
        const a = ctx.tensor(ad, [m, k]), b = ctx.tensor(bd, [k, n]);
        const y = await ctx.gemm(a, b);
        expectClose('gemm', await y.read(), refGemm({ data: ad, shape: [m, k] }, { data: bd, shape: [k, n] }).data, tol(k));
        for (const t of [a, b, y]) t.dispose();
      },
    },
    {
      name: 'sgd: 3 in-place steps with momentum and weight decay',
      level: 'quick',
      async run(ctx) {
        const n = 37;
        let wr: Float64Array | Float32Array = randf(n, 31);
        let vr: Float64Array | Float32Array = new Float32Array(n);
        const w = ctx.tensor(wr, [n]), v = ctx.zeros([n]);
        for (let s = 0; s < 3; s++) {
          const gd = randf(n, 40 + s);
          const g = ctx.tensor(gd, [n]);
          await ctx.sgd(w, g, v, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
          const r = refSgd({ data: wr, shape: [n] }, { data: gd, shape: [n] }, { data: vr, shape: [n] }, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
          wr = r.w.data;
          vr = r.v.data;
          g.dispose();
        }
        expectClose('w', await w.read(), wr, tol());
        expectClose('v', await v.read(), vr, tol());
        w.dispose();
        v.dispose();
      },
    },
    {
      name: 'relu / reluBackward (NaN stays NaN, 0 has no gradient)',
      level: 'quick',
      async run(ctx) {
        const xd = randf(50, 51);
        xd[3] = NaN;
        xd[4] = 0;
        const dyd = randf(50, 52);
        const x = ctx.tensor(xd, [5, 10]), dy = ctx.tensor(dyd, [5, 10]);
        const y = await ctx.relu(x);
        const dx = await ctx.reluBackward(x, dy);
        expectClose('relu', await y.read(), refRelu({ data: xd, shape: [5, 10] }).data, tol());
        expectClose('reluBackward', await dx.read(), refReluBackward({ data: xd, shape: [5, 10] }, { data: dyd, shape: [5, 10] }).data, tol());
        for (const t of [x, dy, y, dx]) t.dispose();
      },
    },
    {
      name: 'softmax cross-entropy forward and backward',
      level: 'quick',
      async run(ctx) {
        const n = 6, k = 10;
        const ld = randf(n * k, 61).map((v) => v * 8);
        const lab = new Int32Array([0, 9, 3, 3, 7, 1]);
        const logits = ctx.tensor(ld, [n, k]), labels = ctx.tensor(lab, [n]);
        const { loss, probs } = await ctx.softmaxCrossEntropy(logits, labels);
        const ref = refSoftmaxCrossEntropy({ data: ld, shape: [n, k] }, lab);
        expectClose('loss', await loss.read(), ref.loss.data, tol(n * k));
        expectClose('probs', await probs.read(), ref.probs.data, tol(k));
        const d = await ctx.softmaxCrossEntropyBackward(probs, labels);
        expectClose('dlogits', await d.read(), refSoftmaxCrossEntropyBackward(ref.probs, lab).data, tol(k));
        for (const t of [logits, labels, loss, probs, d]) t.dispose();
      },
    },
    {
      name: 'dense forward and backward (gemm compositions)',
      level: 'full',
      async run(ctx) {
        const xd = randf(8 * 12, 71), wd = randf(12 * 5, 72), bd = randf(5, 73), dyd = randf(8 * 5, 74);
        const x = ctx.tensor(xd, [8, 12]), w = ctx.tensor(wd, [12, 5]), b = ctx.tensor(bd, [5]), dy = ctx.tensor(dyd, [8, 5]);
        const y = await ctx.dense(x, w, b);
        expectClose('y', await y.read(), refDense({ data: xd, shape: [8, 12] }, { data: wd, shape: [12, 5] }, { data: bd, shape: [5] }).data, tol(12));
        const r = await ctx.denseBackward(x, w, dy);
        const ref = refDenseBackward({ data: xd, shape: [8, 12] }, { data: wd, shape: [12, 5] }, { data: dyd, shape: [8, 5] });
        expectClose('dx', await r.dx.read(), ref.dx.data, tol(5));
        expectClose('dw', await r.dw.read(), ref.dw.data, tol(8));
        expectClose('db', await r.db.read(), ref.db.data, tol(8));
        for (const t of [x, w, b, dy, y, r.dx, r.dw, r.db]) t.dispose();
      },
    },
  ];
}

// ---- uwnet golden data -----------------------------------------------------------------------
async function need(env: CaseEnv, name: string): Promise<UwMatrix> {
  const m = await env.golden(name);
  if (!m) throw new Skip(`golden data ${name} absent (../shared/golden/uwnet not found)`);
  return m;
}

/** The uwnet harness compares with |a - b| < 0.005; we hold these to our own f32 tolerance where the data allow. */
const UW: Tolerance = { atol: 5e-3, rtol: 0 };

function goldenCases(): Case[] {
  return [
    {
      name: 'uwnet golden: im2col and col2im (dog, size 3 / 2, stride 2)',
      level: 'quick',
      async run(ctx, env) {
        const dog = await need(env, 'dog_chw.matrix');
        const x = ctx.tensor(dog.data, [1, 3, 48, 64]);
        for (const [k, colsName, dcolName, imgName] of [[3, 'im2col.matrix', 'dcol.matrix', 'col2mat.matrix'], [2, 'im2col2.matrix', 'dcol2.matrix', 'col2mat2.matrix']] as const) {
          const want = await need(env, colsName);
          const cols = await ctx.im2col(x, { kernel: k, stride: 2 });
          expectClose(`im2col size ${k}`, await cols.read(), want.data, tol());
          const dcol = await need(env, dcolName);
          const dc = ctx.tensor(dcol.data, [1, dcol.rows, dcol.cols]);
          const img = await ctx.col2im(dc, { kernel: k, stride: 2, inputShape: [1, 3, 48, 64] });
          expectClose(`col2im size ${k}`, await img.read(), (await need(env, imgName)).data, tol(9));
          for (const t of [cols, dc, img]) t.dispose();
        }
        x.dispose();
      },
    },
    {
      name: 'uwnet golden: conv forward (10x16x32x64, 8 filters 3x3)',
      level: 'quick',
      async run(ctx, env) {
        const cx = await need(env, 'conv_x.matrix');
        const cw = await need(env, 'conv_w.matrix');
        const cb = await need(env, 'conv_b.matrix');
        const x = ctx.tensor(cx.data, [10, 16, 32, 64]);
        const w = ctx.tensor(cw.data, [8, 16, 3, 3]);
        const b = ctx.tensor(cb.data, [8]);
        const y = await ctx.conv2d(x, w, { bias: b });
        expectClose('conv y', await y.read(), (await need(env, 'conv_y.matrix')).data, UW);
        for (const t of [x, w, b, y]) t.dispose();
      },
    },
    {
      name: 'uwnet golden: maxpool forward/backward size 2 and 3, stride 2',
      level: 'quick',
      async run(ctx, env) {
        const mx = await need(env, 'max_x.matrix');
        const x = ctx.tensor(mx.data, [10, 16, 32, 64]);
        for (const [k, sfx] of [[2, ''], [3, '3']] as const) {
          const { y, indices } = await ctx.maxpool2d(x, { kernel: k, stride: 2 });
          expectClose(`max_y${sfx}`, await y.read(), (await need(env, `max_y${sfx}.matrix`)).data, UW);
          const dyM = await need(env, `max_dy${sfx}.matrix`);
          const dy = ctx.tensor(dyM.data, [10, 16, 16, 32]);
          const dx = await ctx.maxpool2dBackward(dy, indices, { kernel: k, stride: 2, inputShape: [10, 16, 32, 64] });
          expectClose(`max_dx${sfx}`, await dx.read(), (await need(env, `max_dx${sfx}.matrix`)).data, UW);
          for (const t of [y, indices, dy, dx]) t.dispose();
        }
        x.dispose();
      },
    },
    {
      name: 'uwnet golden: connected layer forward/backward and the SGD update',
      level: 'quick',
      async run(ctx, env) {
        const [a, b, bias, dy, dw0, db0] = await Promise.all(['a', 'b', 'bias', 'dy', 'dw', 'db'].map((n) => need(env, `${n}.matrix`)));
        const x = ctx.tensor(a!.data, [32, 64]);
        const w = ctx.tensor(b!.data, [64, 16]);
        const bb = ctx.tensor(bias!.data, [16]);
        const y = await ctx.dense(x, w, bb);
        expectClose('out', await y.read(), (await need(env, 'out.matrix')).data, UW);
        const dyt = ctx.tensor(dy!.data, [32, 16]);
        const r = await ctx.denseBackward(x, w, dyt);
        expectClose('truth_dx', await r.dx.read(), (await need(env, 'truth_dx.matrix')).data, UW);
        const dwAcc = (await r.dw.read()).map((v, i) => v + dw0!.data[i]!);
        expectClose('truth_dw', dwAcc, (await need(env, 'truth_dw.matrix')).data, UW);
        // sgd with v = dw (holds m*Delta_{t-1}), g = x^T dy, momentum 1, decay 0.5, lr 1 gives
        // v = truth_dw + 0.5 w and w = w - v = updated_w (FORMAT.md)
        const v = ctx.tensor(dw0!.data, [64, 16]);
        await ctx.sgd(w, r.dw, v, { lr: 1, momentum: 1, weightDecay: 0.5 });
        expectClose('updated_w', await w.read(), (await need(env, 'updated_w.matrix')).data, UW);
        const upd = (await need(env, 'updated_dw.matrix')).data;
        expectClose('updated_dw = 0.9 v', (await v.read()).map((q) => 0.9 * q), upd, UW);
        const vb = ctx.tensor(db0!.data, [16]);
        await ctx.sgd(bb, r.db, vb, { lr: 1, momentum: 1, weightDecay: 0 });
        expectClose('updated_b', await bb.read(), (await need(env, 'updated_b.matrix')).data, UW);
        for (const t of [x, w, bb, y, dyt, r.dx, r.dw, r.db, v, vb]) t.dispose();
      },
    },
  ];
}

/**
 * The ResNet ops (issue 20) on every engine: a residual block forward and backward, op by op
 * against the float64 reference on the backend's own intermediate results; batch-norm statistics
 * over long channels of shifted data (the f32 sum trees); pooling and softmax geometries.
 */
function cnnCases(): Case[] {
  const ref = async (t: Tensor) => ({ data: (await t.read()) as Float32Array, shape: [...t.shape] });
  return [
    {
      name: 'residual block forward and backward (batchNorm2d, relu, add, globalAvgPool2d, logSoftmax, sumToShape, mul)',
      level: 'quick',
      async run(ctx) {
        const xs = [4, 6, 7, 9];
        const xd = randf(size(xs), 81), gd = randf(6, 82).map((v) => v + 1.5), bd = randf(6, 83);
        const rmd = randf(6, 84), rvd = randf(6, 85).map((v) => v * 0.5 + 1);
        const x = ctx.tensor(xd, xs), g = ctx.tensor(gd, [6]), b = ctx.tensor(bd, [6]), rm = ctx.tensor(rmd, [6]), rv = ctx.tensor(rvd, [6]);
        const X = { data: xd, shape: xs };
        const bn = await ctx.batchNorm2d(x, { gamma: g, beta: b, runningMean: rm, runningVar: rv, training: true, momentum: 0.2 });
        const want = refBatchNorm2d(X, { gamma: { data: gd, shape: [6] }, beta: { data: bd, shape: [6] }, runningMean: { data: rmd, shape: [6] }, runningVar: { data: rvd, shape: [6] } }, { training: true, momentum: 0.2 });
        expectClose('bn y', await bn.y.read(), want.y.data, tol(size(xs) / 6));
        expectClose('bn running mean', await bn.runningMean!.read(), want.runningMean!.data, tol(size(xs) / 6));
        expectClose('bn running var', await bn.runningVar!.read(), want.runningVar!.data, tol(size(xs) / 6));
        const inf = await ctx.batchNorm2d(x, { gamma: g, beta: b, runningMean: rm, runningVar: rv });
        const wInf = refBatchNorm2d(X, { gamma: { data: gd, shape: [6] }, beta: { data: bd, shape: [6] }, runningMean: { data: rmd, shape: [6] }, runningVar: { data: rvd, shape: [6] } });
        expectClose('bn inference y', await inf.y.read(), wInf.y.data, tol());
        const h = await ctx.relu(bn.y);
        const s = await ctx.add(h, x);
        expectClose('residual add', await s.read(), refAdd(await ref(h), X).data, tol());
        const scale = ctx.tensor(gd, [1, 6, 1, 1]);
        const sc = await ctx.mul(s, scale);
        expectClose('per-channel mul', await sc.read(), refMul(await ref(s), { data: gd, shape: [1, 6, 1, 1] }).data, tol());
        const pooled = await ctx.globalAvgPool2d(sc);
        expectClose('globalAvgPool2d', await pooled.read(), refGlobalAvgPool2d(await ref(sc)).data, tol(63));
        const ls = await ctx.logSoftmax(pooled, { axis: 1 });
        expectClose('logSoftmax axis 1', await ls.read(), refLogSoftmax(await ref(pooled), 1).data, tol(6));
        const dls = ctx.tensor(randf(24, 86), [4, 6, 1, 1]);
        const dp = await ctx.logSoftmaxBackward(ls, dls, { axis: 1 });
        expectClose('logSoftmaxBackward', await dp.read(), refLogSoftmaxBackward(await ref(ls), { data: randf(24, 86), shape: [4, 6, 1, 1] }, 1).data, tol(6));
        const dsc = await ctx.globalAvgPool2dBackward(dp, { inputShape: xs as [number, number, number, number] });
        expectClose('globalAvgPool2dBackward', await dsc.read(), refGlobalAvgPool2dBackward(await ref(dp), xs).data, tol());
        const prod = await ctx.mul(dsc, s);
        const dscale = await ctx.sumToShape(prod, { shape: [1, 6, 1, 1] });
        expectClose('sumToShape (scale gradient)', await dscale.read(), refReduceTo(refMul(await ref(dsc), await ref(s)), [1, 6, 1, 1]).data, tol(size(xs) / 6));
        const dyd = randf(size(xs), 87);
        const dy = ctx.tensor(dyd, xs);
        const gb = await ctx.batchNorm2dBackward(x, dy, { gamma: g });
        const wb = refBatchNorm2dBackward(X, { data: dyd, shape: xs }, { data: gd, shape: [6] });
        expectClose('bn dx', await gb.dx.read(), wb.dx.data, tol(size(xs) / 6));
        expectClose('bn dgamma', await gb.dgamma.read(), wb.dgamma.data, tol(size(xs) / 6));
        expectClose('bn dbeta', await gb.dbeta.read(), wb.dbeta.data, tol(size(xs) / 6));
        for (const t of [x, g, b, rm, rv, bn.y, bn.runningMean, bn.runningVar, inf.y, h, s, scale, sc, pooled, ls, dls, dp, dsc, prod, dscale, dy, gb.dx, gb.dgamma, gb.dbeta]) t?.dispose();
      },
    },
    {
      name: 'batchNorm2d training over 16384 values per channel of shifted data (f32 sum trees)',
      level: 'quick',
      async run(ctx) {
        const xs = [16, 3, 32, 32];
        const xd = randf(size(xs), 91).map((v) => 50 + 0.5 * v);
        const dyd = randf(size(xs), 92);
        const x = ctx.tensor(xd, xs), dy = ctx.tensor(dyd, xs);
        const X = { data: xd, shape: xs };
        const bn = await ctx.batchNorm2d(x, { training: true });
        expectClose('y', await bn.y.read(), refBatchNorm2d(X, {}, { training: true }).y.data, tol());
        const gb = await ctx.batchNorm2dBackward(x, dy);
        const wb = refBatchNorm2dBackward(X, { data: dyd, shape: xs });
        expectClose('dx', await gb.dx.read(), wb.dx.data, tol());
        expectClose('dgamma', await gb.dgamma.read(), wb.dgamma.data, tol(16384));
        expectClose('dbeta', await gb.dbeta.read(), wb.dbeta.data, tol(16384));
        const db = await ctx.sumToShape(dy, { shape: [3, 1, 1] });
        expectClose('sumToShape [3,1,1]', await db.read(), refReduceTo({ data: dyd, shape: xs }, [3, 1, 1]).data, tol(16384));
        for (const t of [x, dy, bn.y, gb.dx, gb.dgamma, gb.dbeta, db]) t.dispose();
      },
    },
    ...(
      [
        { name: 'k3 s2 pad 1 ceil count-include-pad', o: { kernel: 3, stride: 2, padding: [1, 1, 1, 1], ceilMode: true, countIncludePad: true }, level: 'quick' },
        { name: 'k2 d2 s1 same', o: { kernel: 2, stride: 1, dilation: 2, padding: 'same' }, level: 'full' },
        { name: 'k3x2 s3x2 valid ceil (overhanging window)', o: { kernel: [3, 2], stride: [3, 2], padding: 'valid', ceilMode: true }, level: 'full' },
      ] as { name: string; o: AvgPoolOptions; level: Level }[]
    ).map(
      (c, i): Case => ({
        name: `avgpool2d forward+backward ${c.name}`,
        level: c.level,
        async run(ctx) {
          const xs = [2, 3, 10, 11];
          const xd = randf(size(xs), 100 + i);
          const x = ctx.tensor(xd, xs);
          const y = await ctx.avgpool2d(x, c.o);
          const wy = refAvgpool2d({ data: xd, shape: xs }, c.o);
          expectShape('y', y, wy.shape);
          expectClose('y', await y.read(), wy.data, tol());
          const dyd = randf(size(wy.shape), 110 + i);
          const dy = ctx.tensor(dyd, wy.shape);
          const dx = await ctx.avgpool2dBackward(dy, { ...c.o, inputShape: xs as [number, number, number, number] });
          expectClose('dx', await dx.read(), refAvgpool2dBackward({ data: dyd, shape: wy.shape }, xs, c.o).data, tol());
          for (const t of [x, y, dy, dx]) t.dispose();
        },
      }),
    ),
    {
      name: 'softmax / logSoftmax forward+backward along axes 0, 1 and -1',
      level: 'quick',
      async run(ctx) {
        const xs = [7, 40, 5];
        const xd = randf(size(xs), 121).map((v) => v * 6);
        const dyd = randf(size(xs), 122);
        const x = ctx.tensor(xd, xs), dy = ctx.tensor(dyd, xs);
        const X = { data: xd, shape: xs };
        for (const axis of [0, 1, -1]) {
          const y = await ctx.softmax(x, { axis });
          expectClose(`softmax axis ${axis}`, await y.read(), refSoftmax(X, axis).data, tol());
          const dx = await ctx.softmaxBackward(y, dy, { axis });
          expectClose(`softmaxBackward axis ${axis}`, await dx.read(), refSoftmaxBackward(await ref(y), { data: dyd, shape: xs }, axis).data, tol(40));
          const l = await ctx.logSoftmax(x, { axis });
          expectClose(`logSoftmax axis ${axis}`, await l.read(), refLogSoftmax(X, axis).data, tol());
          const dl = await ctx.logSoftmaxBackward(l, dy, { axis });
          expectClose(`logSoftmaxBackward axis ${axis}`, await dl.read(), refLogSoftmaxBackward(await ref(l), { data: dyd, shape: xs }, axis).data, tol(40));
          for (const t of [y, dx, l, dl]) t.dispose();
        }
        for (const t of [x, dy]) t.dispose();
      },
    },
  ];
}

export interface SuiteOptions {
  level: Level;
  /** conv algorithms to run the conv cases under (each needs its own context) */
  large?: [number, number, number, number];
}

/** The case list for one context. `algo` only names the conv cases (the context decides the algorithm). */
export function buildCases(o: { level: Level; algo: string; large: [number, number, number, number]; golden: boolean }): Case[] {
  const all = [
    ...miscCases(),
    ...convCases(o.algo),
    ...im2colCases(),
    ...poolCases(),
    ...cnnCases(),
    largePoolCase(o.large, 'quick'),
    ...(o.golden ? goldenCases() : []),
  ];
  return o.level === 'full' ? all : all.filter((c) => c.level === 'quick');
}

/** Conv cases only, for a second context with another conv algorithm. */
export function buildConvCases(o: { level: Level; algo: string }): Case[] {
  const all = convCases(o.algo);
  return o.level === 'full' ? all : all.filter((c) => c.level === 'quick');
}

/** Runs cases in order; also checks that every op ran on the expected engine. */
export async function runCases(ctx: Context, cases: Case[], env: CaseEnv, expectEngine: string): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) {
    try {
      const note = await c.run(ctx, env);
      const ran = ctx.lastRun?.engine ?? ctx.engine;
      if (ran !== expectEngine) throw new Error(`ran on engine '${ran}', expected '${expectEngine}'`);
      out.push({ name: c.name, ok: true, detail: note ?? '', engine: ran });
    } catch (e) {
      if (e instanceof Skip) out.push({ name: c.name, ok: true, skipped: true, detail: `SKIPPED: ${e.message}`, engine: ctx.engine });
      else out.push({ name: c.name, ok: false, detail: (e as Error)?.stack ?? String(e), engine: ctx.engine });
    }
  }
  return out;
}

/** A golden loader over fetch (browser page): `${base}/${name}`. */
export function fetchGolden(base: string): CaseEnv {
  return {
    async golden(name) {
      const r = await fetch(`${base}/${name}`);
      if (!r.ok) return null;
      return readMatrix(new Uint8Array(await r.arrayBuffer()));
    },
  };
}
