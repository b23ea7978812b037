/**
 * One training step of the reference CNN: conv3x3(1->c1)+bias, relu, maxpool 2x2/2,
 * conv3x3(c1->c2)+bias, relu, maxpool 2x2/2, dense(c2*h*w -> classes)+bias, softmax cross-entropy
 * (mean), backward, SGD with momentum 0.9 and weight decay on the weights (none on biases).
 * `contextStep` runs it with convkit Context ops; `referenceStep` is the same in float64 loops.
 */
import type { Context, Tensor } from '@convkit/core';
import { mulberry32, randomArray, randomLabels } from './data.js';
import { convDwExpected, convDxExpected, convExpected, emptyCheck, type Arr, type CheckResult } from './check.js';
import type { ConvShape, PoolShape, TrainShape } from './workloads.js';
import { maxpoolExpected } from './check.js';
import {
  refConv2d,
  refConv2dBackward,
  refDense,
  refDenseBackward,
  refMaxpool2d,
  refMaxpool2dBackward,
  refRelu,
  refReluBackward,
  refSgd,
  refSoftmaxCrossEntropy,
  refSoftmaxCrossEntropyBackward,
  type RefTensor,
} from '@convkit/reference';

export const LR = 0.05;
export const MOMENTUM = 0.9;
export const WEIGHT_DECAY = 5e-4;
export const PARAM_NAMES = ['w1', 'b1', 'w2', 'b2', 'w3', 'b3'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

export function trainDims(t: TrainShape) {
  const h2 = Math.ceil(t.H / 2);
  const w2 = Math.ceil(t.W / 2);
  const h3 = Math.ceil(h2 / 2);
  const w3 = Math.ceil(w2 / 2);
  const features = t.c2 * h3 * w3;
  const conv1: ConvShape = { N: t.batch, C: 1, H: t.H, W: t.W, K: t.c1, R: 3, S: 3, stride: 1 };
  const conv2: ConvShape = { N: t.batch, C: t.c1, H: h2, W: w2, K: t.c2, R: 3, S: 3, stride: 1 };
  const pool1: PoolShape = { N: t.batch, C: t.c1, H: t.H, W: t.W, k: 2, stride: 2 };
  const pool2: PoolShape = { N: t.batch, C: t.c2, H: h2, W: w2, k: 2, stride: 2 };
  const shapes: Record<ParamName, number[]> = {
    w1: [t.c1, 1, 3, 3],
    b1: [t.c1],
    w2: [t.c2, t.c1, 3, 3],
    b2: [t.c2],
    w3: [features, t.classes],
    b3: [t.classes],
  };
  return { h2, w2, h3, w3, features, conv1, conv2, pool1, pool2, shapes };
}

export interface TrainInit {
  x: Float32Array;
  labels: Int32Array;
  params: Record<ParamName, Float32Array>;
}

/** Seeded He-uniform weights, small biases, inputs in [0, 1), random labels. */
export function trainInit(t: TrainShape, seed = 7): TrainInit {
  const d = trainDims(t);
  const he = (fanIn: number) => Math.sqrt(6 / fanIn);
  const r = mulberry32(seed);
  const x = new Float32Array(t.batch * t.H * t.W);
  for (let i = 0; i < x.length; i++) x[i] = r();
  return {
    x,
    labels: randomLabels(t.batch, t.classes, seed + 1),
    params: {
      w1: randomArray(t.c1 * 9, seed + 2, he(9)),
      b1: randomArray(t.c1, seed + 3, 0.1),
      w2: randomArray(t.c2 * t.c1 * 9, seed + 4, he(t.c1 * 9)),
      b2: randomArray(t.c2, seed + 5, 0.1),
      w3: randomArray(d.features * t.classes, seed + 6, he(d.features)),
      b3: randomArray(t.classes, seed + 7, 0.1),
    },
  };
}

export interface TrainTensors {
  x: Tensor;
  labels: Tensor;
  params: Record<ParamName, Tensor>;
  velocity: Record<ParamName, Tensor>;
}

export function uploadTrain(ctx: Context, t: TrainShape, init: TrainInit): TrainTensors {
  const d = trainDims(t);
  const params = {} as Record<ParamName, Tensor>;
  const velocity = {} as Record<ParamName, Tensor>;
  for (const n of PARAM_NAMES) {
    params[n] = ctx.tensor(init.params[n], d.shapes[n]);
    velocity[n] = ctx.zeros(d.shapes[n]);
  }
  return { x: ctx.tensor(init.x, [t.batch, 1, t.H, t.W]), labels: ctx.tensor(init.labels, [t.batch], 'int32'), params, velocity };
}

/** One step with Context ops; returns the loss tensor (caller reads and disposes it). Disposes every intermediate. */
export async function contextStep(ctx: Context, t: TrainShape, s: TrainTensors): Promise<Tensor> {
  const d = trainDims(t);
  const P = s.params;
  const tmp: Tensor[] = [];
  const keep = <T extends Tensor>(x: T): T => {
    tmp.push(x);
    return x;
  };
  try {
    const z1 = keep(await ctx.conv2d(s.x, P.w1, { bias: P.b1 }));
    const a1 = keep(await ctx.relu(z1));
    const m1 = await ctx.maxpool2d(a1, { kernel: 2 });
    keep(m1.y);
    keep(m1.indices);
    const z2 = keep(await ctx.conv2d(m1.y, P.w2, { bias: P.b2 }));
    const a2 = keep(await ctx.relu(z2));
    const m2 = await ctx.maxpool2d(a2, { kernel: 2 });
    keep(m2.y);
    keep(m2.indices);
    const f = keep(m2.y.reshape([t.batch, d.features]));
    const logits = keep(await ctx.dense(f, P.w3, P.b3));
    const { loss, probs } = await ctx.softmaxCrossEntropy(logits, s.labels);
    keep(probs);
    const dlogits = keep(await ctx.softmaxCrossEntropyBackward(probs, s.labels));
    const g3 = await ctx.denseBackward(f, P.w3, dlogits);
    keep(g3.dx);
    keep(g3.dw);
    keep(g3.db);
    const dp2 = keep(g3.dx.reshape(m2.y.shape));
    const da2 = keep(await ctx.maxpool2dBackward(dp2, m2.indices, { kernel: 2, inputShape: a2.shape as [number, number, number, number] }));
    const dz2 = keep(await ctx.reluBackward(z2, da2));
    const g2 = await ctx.conv2dBackward(m1.y, P.w2, dz2);
    keep(g2.dx!);
    keep(g2.dw!);
    keep(g2.db!);
    const da1 = keep(await ctx.maxpool2dBackward(g2.dx!, m1.indices, { kernel: 2, inputShape: a1.shape as [number, number, number, number] }));
    const dz1 = keep(await ctx.reluBackward(z1, da1));
    const g1 = await ctx.conv2dBackward(s.x, P.w1, dz1, { wants: { dx: false, dw: true, db: true } });
    keep(g1.dw!);
    keep(g1.db!);
    const grads: Record<ParamName, Tensor> = { w1: g1.dw!, b1: g1.db!, w2: g2.dw!, b2: g2.db!, w3: g3.dw, b3: g3.db };
    for (const n of PARAM_NAMES) {
      await ctx.sgd(P[n], grads[n], s.velocity[n], { lr: LR, momentum: MOMENTUM, weightDecay: n.startsWith('w') ? WEIGHT_DECAY : 0 });
    }
    return loss;
  } finally {
    for (const x of tmp) x.dispose();
  }
}

// ---- float64 reference -------------------------------------------------------------------------

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

export interface TrainReference {
  loss: number;
  params: Record<ParamName, Float64Array>;
}

/** The same step with @convkit/reference's float64 ops (velocity starts at zero). */
export function referenceStepLib(t: TrainShape, init: TrainInit): TrainReference {
  const d = trainDims(t);
  const p = init.params;
  const P = (n: ParamName) => ({ data: p[n], shape: d.shapes[n] });
  const x = { data: init.x, shape: [t.batch, 1, t.H, t.W] };
  const z1 = refConv2d(x, P('w1'), P('b1'));
  const a1 = refRelu(z1);
  const m1 = refMaxpool2d(a1, { kernel: 2 });
  const z2 = refConv2d(m1.y, P('w2'), P('b2'));
  const a2 = refRelu(z2);
  const m2 = refMaxpool2d(a2, { kernel: 2 });
  const f: RefTensor = { data: m2.y.data, shape: [t.batch, d.features] };
  const logits = refDense(f, P('w3'), P('b3'));
  const { loss, probs } = refSoftmaxCrossEntropy(logits, init.labels);
  const dlogits = refSoftmaxCrossEntropyBackward(probs, init.labels);
  const g3 = refDenseBackward(f, P('w3'), dlogits);
  const da2 = refMaxpool2dBackward({ data: g3.dx.data, shape: m2.y.shape }, m2.indices, a2.shape);
  const dz2 = refReluBackward(z2, da2);
  const g2 = refConv2dBackward(m1.y, P('w2'), dz2);
  const da1 = refMaxpool2dBackward(g2.dx, m1.indices, a1.shape);
  const dz1 = refReluBackward(z1, da1);
  const g1 = refConv2dBackward(x, P('w1'), dz1);
  const grads: Record<ParamName, RefTensor> = { w1: g1.dw, b1: g1.db, w2: g2.dw, b2: g2.db, w3: g3.dw, b3: g3.db };
  const params = {} as Record<ParamName, Float64Array>;
  for (const n of PARAM_NAMES) {
    const v0 = { data: new Float64Array(p[n].length), shape: d.shapes[n] };
    params[n] = refSgd(P(n), grads[n], v0, { lr: LR, momentum: MOMENTUM, weightDecay: n.startsWith('w') ? WEIGHT_DECAY : 0 }).w.data;
  }
  return { loss: loss.data[0]!, params };
}

/** The same step in this package's own float64 loops (direct sums); cross-checks referenceStepLib in the tests. */
export function referenceStep(t: TrainShape, init: TrainInit): TrainReference {
  const d = trainDims(t);
  const p = init.params;
  const size = (c: ConvShape) => {
    const oh = Math.floor((c.H - 1) / c.stride) + 1;
    const ow = Math.floor((c.W - 1) / c.stride) + 1;
    return c.N * c.K * oh * ow;
  };
  const relu = (z: Float64Array) => z.map((v) => (v > 0 ? v : 0));
  const z1 = convExpected(init.x, p.w1, p.b1, d.conv1, all(size(d.conv1)));
  const a1 = relu(z1);
  const m1 = maxpoolExpected(a1, d.pool1);
  const z2 = convExpected(m1.y, p.w2, p.b2, d.conv2, all(size(d.conv2)));
  const a2 = relu(z2);
  const m2 = maxpoolExpected(a2, d.pool2);
  const f = m2.y; // [batch, features]
  const B = t.batch;
  const K = t.classes;
  const F = d.features;
  const logits = new Float64Array(B * K);
  for (let n = 0; n < B; n++) {
    for (let k = 0; k < K; k++) {
      let s = p.b3[k]!;
      for (let i = 0; i < F; i++) s += f[n * F + i]! * p.w3[i * K + k]!;
      logits[n * K + k] = s;
    }
  }
  let loss = 0;
  const dlogits = new Float64Array(B * K);
  for (let n = 0; n < B; n++) {
    let mx = -Infinity;
    for (let k = 0; k < K; k++) mx = Math.max(mx, logits[n * K + k]!);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(logits[n * K + k]! - mx);
    const label = init.labels[n]!;
    loss += -(logits[n * K + label]! - mx - Math.log(sum)) / B;
    for (let k = 0; k < K; k++) dlogits[n * K + k] = (Math.exp(logits[n * K + k]! - mx) / sum - (k === label ? 1 : 0)) / B;
  }
  const gw3 = new Float64Array(F * K);
  const gb3 = new Float64Array(K);
  const df = new Float64Array(B * F);
  for (let n = 0; n < B; n++) {
    for (let k = 0; k < K; k++) {
      const g = dlogits[n * K + k]!;
      gb3[k] += g;
      for (let i = 0; i < F; i++) {
        gw3[i * K + k] += f[n * F + i]! * g;
        df[n * F + i] += g * p.w3[i * K + k]!;
      }
    }
  }
  const unpool = (dy: Float64Array, idx: Int32Array, n: number) => {
    const dx = new Float64Array(n);
    for (let o = 0; o < dy.length; o++) dx[idx[o]!] += dy[o]!;
    return dx;
  };
  const reluBack = (z: Float64Array, dy: Float64Array) => dy.map((v, i) => (z[i]! > 0 ? v : 0));
  const bias = (dz: Float64Array, c: ConvShape) => {
    const plane = dz.length / (c.N * c.K);
    const db = new Float64Array(c.K);
    for (let i = 0; i < dz.length; i++) db[Math.floor(i / plane) % c.K] += dz[i]!;
    return db;
  };
  const dz2 = reluBack(z2, unpool(df, m2.indices, a2.length));
  const gw2 = convDwExpected(m1.y, dz2, d.conv2, all(p.w2.length));
  const gb2 = bias(dz2, d.conv2);
  const dp1 = convDxExpected(p.w2, dz2, d.conv2, all(m1.y.length));
  const dz1 = reluBack(z1, unpool(dp1, m1.indices, a1.length));
  const gw1 = convDwExpected(init.x, dz1, d.conv1, all(p.w1.length));
  const gb1 = bias(dz1, d.conv1);
  const grads: Record<ParamName, Float64Array> = { w1: gw1, b1: gb1, w2: gw2, b2: gb2, w3: gw3, b3: gb3 };
  const params = {} as Record<ParamName, Float64Array>;
  for (const n of PARAM_NAMES) {
    const decay = n.startsWith('w') ? WEIGHT_DECAY : 0;
    const w = p[n];
    // v0 = 0: v = g + decay*w; w' = w - lr*v
    params[n] = Float64Array.from(w, (wi, i) => wi - LR * (grads[n][i]! + decay * wi));
  }
  return { loss, params };
}

/**
 * Checks a float32 step against the float64 one. The loss (forward only, continuous in every
 * input) must agree within 1e-4 relative. For each parameter the UPDATE (after - before) must
 * agree within 1e-2 in relative L2 norm, not element by element: a pre-activation within float32
 * rounding of 0 (one in a few million) flips a relu/argmax decision and moves a single gradient
 * term, which an elementwise 1e-4 bound would flag although both results are correct to their
 * precision. A wrong kernel moves the update by O(1). Elements outside 1e-4 are counted in the note.
 */
export function checkTrain(loss: number, after: Record<ParamName, Float32Array>, init: TrainInit, ref: TrainReference): CheckResult {
  const r = emptyCheck();
  const lossErr = Math.abs(loss - ref.loss);
  const lossBound = 1e-4 * Math.max(1, Math.abs(ref.loss));
  r.checked++;
  r.worst = { output: 'loss', index: 0, got: loss, expected: ref.loss, err: lossErr, bound: lossBound };
  if (!(lossErr <= lossBound)) r.mismatches++;
  let outliers = 0;
  let worstRel = 0;
  for (const n of PARAM_NAMES) {
    const a = after[n];
    const e = ref.params[n];
    const w0 = init.params[n];
    if (a.length !== e.length) {
      r.mismatches++;
      r.note = `${n}: ${a.length} values, expected ${e.length}`;
      continue;
    }
    let diff = 0;
    let upd = 0;
    for (let i = 0; i < a.length; i++) {
      const du = a[i]! - e[i]!;
      diff += du * du;
      const u = e[i]! - w0[i]!;
      upd += u * u;
      if (!(Math.abs(du) <= 1e-4 + 1e-4 * Math.abs(e[i]!))) outliers++;
      r.checked++;
    }
    const rel = Math.sqrt(diff) / Math.max(Math.sqrt(upd), 1e-30);
    if (!(rel <= 1e-2)) {
      r.mismatches++;
      if (!r.worst || r.worst.output === 'loss') r.worst = { output: n, index: -1, got: rel, expected: 0, err: rel, bound: 1e-2 };
    }
    worstRel = Math.max(worstRel, Number.isNaN(rel) ? Infinity : rel);
  }
  r.note = `loss ${loss.toPrecision(7)} vs ${ref.loss.toPrecision(7)}; worst relative L2 error of an update ${worstRel.toExponential(2)}; ${outliers} elements outside 1e-4`;
  r.ok = r.mismatches === 0;
  return r;
}
