/**
 * Random cases for every op (fast-check arbitraries) and runners that execute one case through a
 * Context and compare it against the float64 reference (@convkit/reference). A runner throws an
 * Error describing the mismatch; fast-check then shrinks the case and prints seed and counterexample.
 *
 * Shapes stay small (the CI budget is 10,000 cases per backend), but every edge the issue names is
 * in reach: 1x1 images, kernels larger than the image (with padding), stride larger than the
 * kernel, C = 1, K = 1, batch 1, many channels, every padding form and pad mode, dilation,
 * groups and depthwise, flip, ceil mode, ties in max pooling, gemm transposes with alpha/beta/c/bias,
 * SGD with momentum and weight decay over several steps.
 */
import fc from 'fast-check';
import type { Context, Tensor } from '@convkit/core';
import {
  compare,
  describeMismatch,
  refCol2im,
  refConv2d,
  refConv2dBackward,
  refGemm,
  refIm2col,
  refMaxpool2d,
  refMaxpool2dBackward,
  refSgd,
  type Tolerance,
} from '@convkit/reference';
import { axes, whyInvalid, type PadMode, type Padding, type WindowSpec } from './geometry.js';
import { rng, sizeOf, values, type ValueKind } from './values.js';

// ---- shared arbitraries --------------------------------------------------------------------

const int = (min: number, max: number) => fc.integer({ min, max });
const pair = (min: number, max: number) => fc.tuple(int(min, max), int(min, max));

const strideArb: fc.Arbitrary<[number, number]> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<[number, number]>([1, 1]) },
  { weight: 2, arbitrary: pair(1, 4) },
);
const dilationArb: fc.Arbitrary<[number, number]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<[number, number]>([1, 1]) },
  { weight: 1, arbitrary: pair(1, 3) },
);
export const paddingArb: fc.Arbitrary<Padding> = fc.oneof(
  fc.constant<Padding>('same'),
  fc.constant<Padding>('valid'),
  int(0, 3),
  fc.tuple(int(0, 3), int(0, 3), int(0, 3), int(0, 3)),
);
const padModeArb: fc.Arbitrary<PadMode> = fc.constantFrom('zeros', 'replicate', 'circular', 'reflect');
const seedArb = fc.integer({ min: 0, max: 0x7fffffff });
const kindArb: fc.Arbitrary<ValueKind> = fc.constantFrom('uniform', 'uniform', 'ties');

/** groups, channels per group, filters per group: ordinary, many channels, depthwise. */
const channelsArb = fc.oneof(
  { weight: 8, arbitrary: fc.record({ groups: int(1, 3), cg: int(1, 3), kg: int(1, 3) }) },
  { weight: 1, arbitrary: fc.record({ groups: fc.constant(1), cg: int(8, 16), kg: int(1, 4) }) },
  { weight: 1, arbitrary: fc.record({ groups: int(2, 8), cg: fc.constant(1), kg: int(1, 2) }) },
);

// ---- comparison ------------------------------------------------------------------------------

export class Mismatch extends Error {}

function fmt(s: readonly number[]) {
  return `[${s.join(', ')}]`;
}

function expectShape(what: string, got: readonly number[], want: readonly number[]) {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new Mismatch(`${what}: shape ${fmt(got)}, reference ${fmt(want)}`);
  }
}

function expectClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance) {
  const r = compare(got, want, tol);
  if (!r.ok) throw new Mismatch(`${what}: ${describeMismatch(r, tol)}`);
}

function expectExact(what: string, got: ArrayLike<number>, want: ArrayLike<number>) {
  if (got.length !== want.length) throw new Mismatch(`${what}: length ${got.length}, reference ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i]) throw new Mismatch(`${what}: at ${i} got ${got[i]}, reference ${want[i]}`);
  }
}

/**
 * Runs body with a tracker that disposes every tensor it made, then checks that the context's
 * live tensor count is back where it started (a per-case leak check).
 */
async function scoped(ctx: Context, body: (keep: <T extends Tensor | undefined>(t: T) => T) => Promise<void>) {
  const before = ctx.memory().tensors;
  const made: Tensor[] = [];
  const keep = <T extends Tensor | undefined>(t: T): T => {
    if (t) made.push(t);
    return t;
  };
  try {
    await body(keep);
  } finally {
    for (const t of made) t.dispose();
  }
  const after = ctx.memory().tensors;
  if (after !== before) throw new Mismatch(`leak: ${after - before} live tensor(s) left after the case`);
}

// ---- conv2d ------------------------------------------------------------------------------------

export interface ConvCase {
  N: number;
  groups: number;
  cg: number;
  kg: number;
  H: number;
  W: number;
  kH: number;
  kW: number;
  stride: [number, number];
  dilation: [number, number];
  padding: Padding;
  padMode: PadMode;
  flip: boolean;
  bias: boolean;
  seed: number;
}

const convGeneralArb: fc.Arbitrary<ConvCase> = fc.record({
  N: int(1, 3),
  ch: channelsArb,
  H: int(1, 7),
  W: int(1, 7),
  kH: int(1, 5),
  kW: int(1, 5),
  stride: strideArb,
  dilation: dilationArb,
  padding: paddingArb,
  padMode: padModeArb,
  flip: fc.boolean(),
  bias: fc.boolean(),
  seed: seedArb,
}).map(({ ch, ...r }) => ({ ...r, ...ch }));

/**
 * The shapes the Winograd F(2x2, 3x3) paths take (backend-js and backend-wasm: 3x3, stride 1,
 * dilation 1, >= 8 channels and filters; odd and even sizes, every padding), which the general
 * arbitrary almost never draws. Other pad modes and groups are included so the path choice is fuzzed too.
 */
const convWinogradArb: fc.Arbitrary<ConvCase> = fc.record({
  N: int(1, 2),
  groups: fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(2) }),
  cg: int(8, 12),
  kg: int(8, 12),
  H: int(2, 13),
  W: int(2, 13),
  kH: fc.constant(3),
  kW: fc.constant(3),
  stride: fc.constant<[number, number]>([1, 1]),
  dilation: fc.constant<[number, number]>([1, 1]),
  padding: paddingArb,
  padMode: fc.oneof({ weight: 5, arbitrary: fc.constant<PadMode>('zeros') }, { weight: 1, arbitrary: padModeArb }),
  flip: fc.boolean(),
  bias: fc.boolean(),
  seed: seedArb,
});

export const convArb: fc.Arbitrary<ConvCase> = fc.oneof({ weight: 5, arbitrary: convGeneralArb }, { weight: 1, arbitrary: convWinogradArb });

export function convSpec(c: ConvCase): WindowSpec {
  return { H: c.H, W: c.W, kH: c.kH, kW: c.kW, stride: c.stride, dilation: c.dilation, padding: c.padding, padMode: c.padMode };
}

export const convValid = (c: ConvCase) => whyInvalid(convSpec(c)) === null;

function convTensors(c: ConvCase) {
  const C = c.groups * c.cg;
  const K = c.groups * c.kg;
  const xs = [c.N, C, c.H, c.W];
  const ws = [K, c.cg, c.kH, c.kW];
  return {
    C,
    K,
    x: { data: values(sizeOf(xs), c.seed), shape: xs },
    w: { data: values(sizeOf(ws), c.seed + 1), shape: ws },
    b: c.bias ? { data: values(K, c.seed + 2), shape: [K] } : null,
  };
}

function convOpts(c: ConvCase) {
  return { stride: c.stride, dilation: c.dilation, padding: c.padding, padMode: c.padMode, groups: c.groups, flip: c.flip };
}

export async function runConv2d(ctx: Context, c: ConvCase, tol: Tolerance): Promise<void> {
  const { x, w, b } = convTensors(c);
  const ref = refConv2d(x, w, b, convOpts(c));
  await scoped(ctx, async (keep) => {
    const xt = keep(ctx.tensor(x.data, x.shape));
    const wt = keep(ctx.tensor(w.data, w.shape));
    const bt = b ? keep(ctx.tensor(b.data, b.shape)) : null;
    const y = keep(await ctx.conv2d(xt, wt, { ...convOpts(c), bias: bt }));
    expectShape('conv2d y', y.shape, ref.shape);
    expectClose('conv2d y', await y.read(), ref.data, tol);
  });
}

export interface ConvBwdCase extends ConvCase {
  wants: { dx: boolean; dw: boolean; db: boolean };
}

export const convBwdArb: fc.Arbitrary<ConvBwdCase> = fc.record({
  c: convArb,
  wants: fc.oneof(
    { weight: 3, arbitrary: fc.constant({ dx: true, dw: true, db: true }) },
    { weight: 1, arbitrary: fc.record({ dx: fc.boolean(), dw: fc.boolean(), db: fc.boolean() }) },
  ),
}).map(({ c, wants }) => ({ ...c, bias: false, wants }));

export async function runConv2dBackward(ctx: Context, c: ConvBwdCase, tol: Tolerance): Promise<void> {
  const { x, w, K } = convTensors(c);
  const { h, w: ax } = axes(convSpec(c));
  const dys = [c.N, K, h.out, ax.out];
  const dy = { data: values(sizeOf(dys), c.seed + 3), shape: dys };
  const ref = refConv2dBackward(x, w, dy, convOpts(c));
  await scoped(ctx, async (keep) => {
    const xt = keep(ctx.tensor(x.data, x.shape));
    const wt = keep(ctx.tensor(w.data, w.shape));
    const dyt = keep(ctx.tensor(dy.data, dy.shape));
    const r = await ctx.conv2dBackward(xt, wt, dyt, { ...convOpts(c), wants: c.wants });
    keep(r.dx);
    keep(r.dw);
    keep(r.db);
    for (const k of ['dx', 'dw', 'db'] as const) {
      const t = r[k];
      if (!c.wants[k]) {
        if (t) throw new Mismatch(`conv2dBackward: ${k} returned though not wanted`);
        continue;
      }
      if (!t) throw new Mismatch(`conv2dBackward: ${k} wanted but missing`);
      expectShape(`conv2dBackward ${k}`, t.shape, ref[k].shape);
      expectClose(`conv2dBackward ${k}`, await t.read(), ref[k].data, tol);
    }
  });
}

// ---- im2col / col2im ---------------------------------------------------------------------------

export interface Im2colCase {
  N: number;
  C: number;
  H: number;
  W: number;
  kH: number;
  kW: number;
  stride: [number, number];
  dilation: [number, number];
  padding: Padding;
  padMode: PadMode;
  seed: number;
}

export const im2colArb: fc.Arbitrary<Im2colCase> = fc.record({
  N: int(1, 2),
  C: fc.oneof({ weight: 5, arbitrary: int(1, 3) }, { weight: 1, arbitrary: int(4, 12) }),
  H: int(1, 7),
  W: int(1, 7),
  kH: int(1, 5),
  kW: int(1, 5),
  stride: strideArb,
  dilation: dilationArb,
  padding: paddingArb,
  padMode: padModeArb,
  seed: seedArb,
});

export const im2colSpec = (c: Im2colCase): WindowSpec => ({
  H: c.H,
  W: c.W,
  kH: c.kH,
  kW: c.kW,
  stride: c.stride,
  dilation: c.dilation,
  padding: c.padding,
  padMode: c.padMode,
});
export const im2colValid = (c: Im2colCase) => whyInvalid(im2colSpec(c)) === null;

const im2colOpts = (c: Im2colCase) => ({
  kernel: [c.kH, c.kW] as [number, number],
  stride: c.stride,
  dilation: c.dilation,
  padding: c.padding,
  padMode: c.padMode,
});

export async function runIm2col(ctx: Context, c: Im2colCase, tol: Tolerance): Promise<void> {
  const xs = [c.N, c.C, c.H, c.W];
  const x = { data: values(sizeOf(xs), c.seed), shape: xs };
  const ref = refIm2col(x, im2colOpts(c));
  await scoped(ctx, async (keep) => {
    const xt = keep(ctx.tensor(x.data, xs));
    const cols = keep(await ctx.im2col(xt, im2colOpts(c)));
    expectShape('im2col', cols.shape, ref.shape);
    // im2col only copies: it must be exact, whatever the backend's arithmetic precision
    void tol;
    expectExact('im2col', await cols.read(), Float32Array.from(ref.data));
  });
}

export async function runCol2im(ctx: Context, c: Im2colCase, tol: Tolerance): Promise<void> {
  const { h, w } = axes(im2colSpec(c));
  const cs = [c.N, c.C * c.kH * c.kW, h.out * w.out];
  const cols = { data: values(sizeOf(cs), c.seed + 7), shape: cs };
  const inputShape = [c.N, c.C, c.H, c.W] as [number, number, number, number];
  const ref = refCol2im(cols, { ...im2colOpts(c), inputShape });
  await scoped(ctx, async (keep) => {
    const ct = keep(ctx.tensor(cols.data, cs));
    const img = keep(await ctx.col2im(ct, { ...im2colOpts(c), inputShape }));
    expectShape('col2im', img.shape, ref.shape);
    expectClose('col2im', await img.read(), ref.data, tol);
  });
}

// ---- maxpool -------------------------------------------------------------------------------------

export interface PoolCase {
  N: number;
  C: number;
  H: number;
  W: number;
  kH: number;
  kW: number;
  /** undefined: the default (stride = kernel) */
  stride: [number, number] | undefined;
  padding: Padding;
  ceilMode: boolean;
  kind: ValueKind;
  seed: number;
}

export const poolArb: fc.Arbitrary<PoolCase> = fc
  .record({
    N: int(1, 2),
    C: int(1, 3),
    H: int(1, 8),
    W: int(1, 8),
    kH: int(1, 4),
    kW: int(1, 4),
    stride: fc.option(pair(1, 4), { nil: undefined }),
    padding: fc.oneof(fc.constant<Padding>('same'), fc.constant<Padding>('valid'), int(0, 2), fc.tuple(int(0, 2), int(0, 2), int(0, 2), int(0, 2))),
    ceilMode: fc.boolean(),
    kind: kindArb,
    seed: seedArb,
  })
  // ceil mode goes with 'valid' or explicit padding only (the illegal pairing is in the bad-input tests)
  .map((c) => (c.padding === 'same' ? { ...c, ceilMode: false } : c));

export const poolSpec = (c: PoolCase): WindowSpec => ({
  H: c.H,
  W: c.W,
  kH: c.kH,
  kW: c.kW,
  stride: c.stride ?? [c.kH, c.kW],
  dilation: [1, 1],
  padding: c.padding,
  ceilMode: c.ceilMode,
});
/**
 * Whether some window lies wholly in the padding (explicit padding larger than the kernel). Core
 * accepts such padding; CONVENTIONS.md does not define the max of an empty window (PyTorch refuses
 * padding above half the kernel), the reference gives -Infinity with index -1 and every backend
 * agrees, so the fuzz keeps these cases (ieee.test.ts also checks one on its own).
 */
export function poolHasEmptyWindow(c: PoolCase): boolean {
  const s = poolSpec(c);
  const { h, w } = axes(s);
  const empty = (inSize: number, k: number, st: number, before: number, out: number) => {
    for (let o = 0; o < out; o++) {
      const start = o * st - before;
      if (start + k - 1 < 0 || start >= inSize) return true;
    }
    return false;
  };
  return empty(c.H, c.kH, s.stride[0], h.before, h.out) || empty(c.W, c.kW, s.stride[1], w.before, w.out);
}

export const poolValid = (c: PoolCase) => whyInvalid(poolSpec(c)) === null;

const poolOpts = (c: PoolCase) => ({ kernel: [c.kH, c.kW] as [number, number], stride: c.stride, padding: c.padding, ceilMode: c.ceilMode });

export async function runMaxpool(ctx: Context, c: PoolCase, tol: Tolerance): Promise<void> {
  const xs = [c.N, c.C, c.H, c.W];
  const x = { data: values(sizeOf(xs), c.seed, c.kind), shape: xs };
  const ref = refMaxpool2d(x, poolOpts(c));
  void tol;
  await scoped(ctx, async (keep) => {
    const xt = keep(ctx.tensor(x.data, xs));
    const r = await ctx.maxpool2d(xt, poolOpts(c));
    keep(r.y);
    keep(r.indices);
    expectShape('maxpool2d y', r.y.shape, ref.y.shape);
    expectShape('maxpool2d indices', r.indices.shape, ref.indices.shape);
    if (r.indices.dtype !== 'int32') throw new Mismatch(`maxpool2d indices dtype ${r.indices.dtype}`);
    // a max is one of the inputs: exact; argmax indices exact (ties go to the first maximum)
    expectExact('maxpool2d indices', await r.indices.read(), ref.indices.data);
    expectExact('maxpool2d y', await r.y.read(), Float32Array.from(ref.y.data));
  });
}

export interface PoolBwdCase extends PoolCase {
  /** 'forward': indices of the reference forward pass; 'window': a random in-image position of each window */
  indices: 'forward' | 'window';
}

export const poolBwdArb: fc.Arbitrary<PoolBwdCase> = fc
  .record({ c: poolArb, indices: fc.constantFrom<'forward' | 'window'>('forward', 'window') })
  .map(({ c, indices }) => ({ ...c, indices }));

function windowIndices(c: PoolCase): Int32Array {
  const s = poolSpec(c);
  const { h, w } = axes(s);
  const r = rng(c.seed + 11);
  const out = new Int32Array(c.N * c.C * h.out * w.out);
  let o = 0;
  for (let n = 0; n < c.N; n++)
    for (let ch = 0; ch < c.C; ch++)
      for (let oy = 0; oy < h.out; oy++)
        for (let ox = 0; ox < w.out; ox++) {
          const cand: number[] = [];
          for (let ky = 0; ky < c.kH; ky++)
            for (let kx = 0; kx < c.kW; kx++) {
              const iy = oy * s.stride[0] - h.before + ky;
              const ix = ox * s.stride[1] - w.before + kx;
              if (iy >= 0 && iy < c.H && ix >= 0 && ix < c.W) cand.push(((n * c.C + ch) * c.H + iy) * c.W + ix);
            }
          out[o++] = cand.length ? cand[Math.floor(r() * cand.length)]! : -1;
        }
  return out;
}

export async function runMaxpoolBackward(ctx: Context, c: PoolBwdCase, tol: Tolerance): Promise<void> {
  const xs = [c.N, c.C, c.H, c.W];
  const fwd = refMaxpool2d({ data: values(sizeOf(xs), c.seed, c.kind), shape: xs }, poolOpts(c));
  const idx = c.indices === 'forward' ? fwd.indices.data : windowIndices(c);
  const ys = fwd.y.shape;
  const dy = { data: values(sizeOf(ys), c.seed + 5), shape: ys };
  const ref = refMaxpool2dBackward(dy, { data: idx, shape: ys }, xs);
  await scoped(ctx, async (keep) => {
    const dyt = keep(ctx.tensor(dy.data, ys));
    const it = keep(ctx.tensor(idx, ys));
    const inputShape = xs as [number, number, number, number];
    const dx = keep(await ctx.maxpool2dBackward(dyt, it, { ...poolOpts(c), inputShape }));
    expectShape('maxpool2dBackward dx', dx.shape, ref.shape);
    expectClose('maxpool2dBackward dx', await dx.read(), ref.data, tol);
  });
}

// ---- gemm -----------------------------------------------------------------------------------------

export interface GemmCase {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  c: boolean;
  bias: boolean;
  seed: number;
}

export const gemmArb: fc.Arbitrary<GemmCase> = fc
  .record({
    size: fc.oneof(
      { weight: 4, arbitrary: fc.tuple(int(1, 9), int(1, 9), int(1, 9)) },
      { weight: 1, arbitrary: fc.tuple(int(1, 40), int(1, 40), int(1, 70)) },
    ),
    transA: fc.boolean(),
    transB: fc.boolean(),
    alpha: fc.constantFrom(1, 1, -1, 0.5, 2.25, 0),
    beta: fc.constantFrom(0, 1, -0.5, 2),
    c: fc.boolean(),
    bias: fc.boolean(),
    seed: seedArb,
  })
  .map(({ size: [m, n, k], ...r }) => ({ m, n, k, ...r, beta: r.c ? r.beta : 0 }));

export async function runGemm(ctx: Context, c: GemmCase, tol: Tolerance): Promise<void> {
  const as = c.transA ? [c.k, c.m] : [c.m, c.k];
  const bs = c.transB ? [c.n, c.k] : [c.k, c.n];
  const a = { data: values(sizeOf(as), c.seed), shape: as };
  const b = { data: values(sizeOf(bs), c.seed + 1), shape: bs };
  const cc = c.c ? { data: values(c.m * c.n, c.seed + 2), shape: [c.m, c.n] } : null;
  const bias = c.bias ? { data: values(c.n, c.seed + 3), shape: [c.n] } : null;
  const o = { transA: c.transA, transB: c.transB, alpha: c.alpha, beta: c.beta };
  const ref = refGemm(a, b, { ...o, c: cc, bias });
  await scoped(ctx, async (keep) => {
    const at = keep(ctx.tensor(a.data, as));
    const bt = keep(ctx.tensor(b.data, bs));
    const ct = cc ? keep(ctx.tensor(cc.data, cc.shape)) : null;
    const biast = bias ? keep(ctx.tensor(bias.data, bias.shape)) : null;
    const y = keep(await ctx.gemm(at, bt, { ...o, c: ct, bias: biast }));
    expectShape('gemm', y.shape, ref.shape);
    expectClose('gemm', await y.read(), ref.data, tol);
    // inputs are not written
    if (ct) expectExact('gemm c (input) unchanged', await ct.read(), cc!.data);
  });
}

// ---- sgd ----------------------------------------------------------------------------------------

export interface SgdCase {
  shape: number[];
  lr: number;
  momentum: number;
  weightDecay: number;
  steps: number;
  seed: number;
}

export const sgdArb: fc.Arbitrary<SgdCase> = fc.record({
  shape: fc.array(int(1, 6), { minLength: 1, maxLength: 4 }),
  lr: fc.oneof(fc.constantFrom(0, 0.01, 0.1, 1), fc.double({ min: 0, max: 1, noNaN: true })),
  momentum: fc.oneof(fc.constantFrom(0, 0.9, 0.99), fc.double({ min: 0, max: 1, noNaN: true })),
  weightDecay: fc.oneof(fc.constantFrom(0, 1e-4, 0.01), fc.double({ min: 0, max: 0.5, noNaN: true })),
  steps: int(1, 3),
  seed: seedArb,
});

export async function runSgd(ctx: Context, c: SgdCase, tol: Tolerance): Promise<void> {
  const n = sizeOf(c.shape);
  let w: ArrayLike<number> = values(n, c.seed);
  let v: ArrayLike<number> = values(n, c.seed + 1); // a non-zero start exercises the momentum term
  const o = { lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay };
  await scoped(ctx, async (keep) => {
    const wt = keep(ctx.tensor(w as Float32Array, c.shape));
    const vt = keep(ctx.tensor(v as Float32Array, c.shape));
    for (let s = 0; s < c.steps; s++) {
      const g = values(n, c.seed + 2 + s);
      const ref = refSgd({ data: w, shape: c.shape }, { data: g, shape: c.shape }, { data: v, shape: c.shape }, o);
      const gt = keep(ctx.tensor(g, c.shape));
      const res = await ctx.sgd(wt, gt, vt, o);
      if (res !== undefined) throw new Mismatch('sgd returned a value; it updates in place');
      expectClose(`sgd step ${s + 1} v`, await vt.read(), ref.v.data, tol);
      expectClose(`sgd step ${s + 1} w`, await wt.read(), ref.w.data, tol);
      expectExact(`sgd step ${s + 1} g (input) unchanged`, await gt.read(), g);
      w = ref.w.data;
      v = ref.v.data;
    }
  });
}

// ---- the table the fuzz test iterates -------------------------------------------------------------

export interface OpFuzz {
  op: string;
  /** share of the per-backend case budget */
  share: number;
  arb: fc.Arbitrary<any>;
  valid: (c: any) => boolean;
  run: (ctx: Context, c: any, tol: Tolerance) => Promise<void>;
}

export const OPS: OpFuzz[] = [
  { op: 'conv2d', share: 0.25, arb: convArb, valid: convValid, run: runConv2d },
  { op: 'conv2dBackward', share: 0.2, arb: convBwdArb, valid: convValid, run: runConv2dBackward },
  { op: 'im2col', share: 0.1, arb: im2colArb, valid: im2colValid, run: runIm2col },
  { op: 'col2im', share: 0.1, arb: im2colArb, valid: im2colValid, run: runCol2im },
  { op: 'maxpool2d', share: 0.1, arb: poolArb, valid: poolValid, run: runMaxpool },
  { op: 'maxpool2dBackward', share: 0.08, arb: poolBwdArb, valid: poolValid, run: runMaxpoolBackward },
  { op: 'gemm', share: 0.12, arb: gemmArb, valid: () => true, run: runGemm },
  { op: 'sgd', share: 0.05, arb: sgdArb, valid: () => true, run: runSgd },
];

/** Splits `total` cases over OPS by share; the parts sum to exactly `total`. */
export function splitBudget(total: number): Map<string, number> {
  const out = new Map<string, number>();
  let left = total;
  OPS.forEach((o, i) => {
    const n = i === OPS.length - 1 ? left : Math.max(1, Math.round(total * o.share));
    out.set(o.op, Math.min(n, left));
    left -= Math.min(n, left);
  });
  return out;
}
