/**
 * The layers, Sequential and SGD against an independent float64 pipeline built from
 * @convkit/reference ops (nested loops straight from CONVENTIONS.md).
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createContext, Registry, ValidationError, type Context } from '@convkit/core';
import { jsBackend } from '@convkit/backend-js';
import {
  compare,
  describeMismatch,
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
  type TensorLike,
} from '@convkit/reference';
import { Conv2d, Dense, Flatten, MaxPool2d, ReLU, Sequential, SGD, SoftmaxCrossEntropy, mulberry32, trainStep, type Layer } from './index.js';

// Several SGD steps of float32 against float64: errors compound through conv, pool and dense
// over the steps, so the comparison allows rtol 1e-3 (atol stays at the 1e-4 of CONVENTIONS.md).
const TOL = { atol: 1e-4, rtol: 1e-3 };

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string) {
  const r = compare(got, want, TOL);
  if (!r.ok) throw new Error(`${what}: ${describeMismatch(r, TOL)}`);
  expect(r.ok).toBe(true);
}

type RefLayer =
  | { kind: 'conv'; w: RefTensor; b: RefTensor; opts: { stride?: number; padding?: 'same' | 'valid'; padMode?: 'zeros' | 'reflect' } }
  | { kind: 'relu' }
  | { kind: 'pool'; k: number }
  | { kind: 'flatten' }
  | { kind: 'dense'; w: RefTensor; b: RefTensor };

const t64 = (data: ArrayLike<number>, shape: readonly number[]): RefTensor => ({ data: Float64Array.from(data), shape: [...shape] });

/** float64 forward + backward + SGD for the same layer list, written only with reference ops. */
function refTrainStep(layers: RefLayer[], vel: Map<RefTensor, RefTensor>, x: TensorLike, labels: Int32Array, o: { lr: number; momentum: number; weightDecay: number }) {
  const acts: TensorLike[] = [x];
  const cache: unknown[] = [];
  let cur: TensorLike = x;
  for (const l of layers) {
    let y: RefTensor;
    if (l.kind === 'conv') y = refConv2d(cur, l.w, l.b, l.opts);
    else if (l.kind === 'relu') y = refRelu(cur);
    else if (l.kind === 'pool') {
      const r = refMaxpool2d(cur, { kernel: l.k });
      cache.push(r.indices);
      y = r.y;
    } else if (l.kind === 'flatten') y = t64(cur.data, [cur.shape[0]!, cur.data.length / cur.shape[0]!]);
    else y = refDense(cur, l.w, l.b);
    if (l.kind !== 'pool') cache.push(null);
    acts.push(y);
    cur = y;
  }
  const { loss, probs } = refSoftmaxCrossEntropy(cur, labels);
  let dy: TensorLike = refSoftmaxCrossEntropyBackward(probs, labels);
  const grads: [RefTensor, RefTensor][] = [];
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    const xin = acts[i]!;
    if (l.kind === 'conv') {
      const r = refConv2dBackward(xin, l.w, dy, l.opts);
      grads.push([l.w, r.dw], [l.b, r.db]);
      dy = r.dx;
    } else if (l.kind === 'relu') dy = refReluBackward(xin, dy);
    else if (l.kind === 'pool') dy = refMaxpool2dBackward(dy, cache[i] as TensorLike, xin.shape);
    else if (l.kind === 'flatten') dy = t64(dy.data, xin.shape);
    else {
      const r = refDenseBackward(xin, l.w, dy);
      grads.push([l.w, r.dw], [l.b, r.db]);
      dy = r.dx;
    }
  }
  for (const [p, g] of grads) {
    const isBias = p.shape.length === 1;
    const v = vel.get(p) ?? t64(new Float64Array(p.data.length), p.shape);
    const r = refSgd(p, g, v, { lr: o.lr, momentum: o.momentum, weightDecay: isBias ? 0 : o.weightDecay });
    p.data.set(r.w.data);
    vel.set(p, r.v);
  }
  return loss.data[0]!;
}

let ctx: Context;
beforeAll(async () => {
  const reg = new Registry().register(jsBackend);
  ctx = await createContext({ backend: 'js', registry: reg });
});
afterAll(async () => {
  await ctx?.dispose();
});

function makeData(n: number, c: number, h: number, w: number, classes: number, seed: number) {
  const r = mulberry32(seed);
  const x = new Float32Array(n * c * h * w).map(() => r() * 2 - 1);
  const y = new Int32Array(n).map(() => Math.floor(r() * classes));
  return { x, y };
}

async function mirror(model: Sequential): Promise<RefLayer[]> {
  const out: RefLayer[] = [];
  for (const l of model.layers) {
    if (l instanceof Conv2d) {
      out.push({
        kind: 'conv',
        w: t64(await l.weight.value.read(), l.weight.shape),
        b: t64(await l.bias!.value.read(), l.bias!.shape),
        opts: { stride: l.o.stride as number, padding: l.o.padding as 'same' | 'valid', padMode: l.o.padMode as 'zeros' | 'reflect' | undefined },
      });
    } else if (l instanceof ReLU) out.push({ kind: 'relu' });
    else if (l instanceof MaxPool2d) out.push({ kind: 'pool', k: l.o.kernel as number });
    else if (l instanceof Flatten) out.push({ kind: 'flatten' });
    else if (l instanceof Dense) out.push({ kind: 'dense', w: t64(await l.weight.value.read(), l.weight.shape), b: t64(await l.bias!.value.read(), l.bias!.shape) });
  }
  return out;
}

function refParams(layers: RefLayer[]): RefTensor[] {
  return layers.flatMap((l) => (l.kind === 'conv' || l.kind === 'dense' ? [l.w, l.b] : []));
}

const cases: { name: string; make: () => Layer[]; inShape: [number, number, number] }[] = [
  {
    name: 'conv same / relu / pool / conv / relu / pool / flatten / dense',
    inShape: [2, 8, 8],
    make: () => [
      new Conv2d({ inChannels: 2, outChannels: 3, kernel: 3 }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d({ inChannels: 3, outChannels: 4, kernel: 3 }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Dense({ inFeatures: 16, outFeatures: 5 }),
    ],
  },
  {
    name: 'conv valid stride 2 reflect / relu / flatten / dense / relu / dense',
    inShape: [1, 9, 9],
    make: () => [
      new Conv2d({ inChannels: 1, outChannels: 2, kernel: 3, stride: 2, padding: 'valid', padMode: 'reflect' }),
      new ReLU(),
      new Flatten(),
      new Dense({ inFeatures: 32, outFeatures: 6 }),
      new ReLU(),
      new Dense({ inFeatures: 6, outFeatures: 3 }),
    ],
  },
];

describe('Sequential + SGD against the float64 reference pipeline', () => {
  for (const c of cases) {
    it(`${c.name}: 4 steps of losses and parameters agree`, async () => {
      const model = new Sequential(ctx, c.make(), { seed: 7, inputShape: c.inShape });
      const classes = model.outputShape(c.inShape)[0]!;
      const refLayers = await mirror(model);
      const opt = new SGD(ctx, model.params(), { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
      const vel = new Map<RefTensor, RefTensor>();
      for (let step = 0; step < 4; step++) {
        const { x, y } = makeData(5, ...c.inShape, classes, 100 + step);
        const got = await trainStep(model, opt, { x, y }, c.inShape);
        const want = refTrainStep(refLayers, vel, t64(x, [5, ...c.inShape]), y, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
        expectClose([got], [want], `loss at step ${step}`);
      }
      const ws = await model.getWeights();
      const refs = refParams(refLayers);
      expect(ws.length).toBe(refs.length);
      ws.forEach((w, i) => expectClose(w, refs[i]!.data, `param ${model.params()[i]!.name} after 4 steps`));
      model.dispose();
    });
  }

  it('biases get no weight decay, weights do (one step from zero gradient)', async () => {
    // With lr=1, momentum=0, decay 0.5 and a loss whose gradient we can predict, check a Dense
    // layer: w' = w - (g + 0.5 w), b' = b - g_b.
    const model = new Sequential(ctx, [new Dense({ inFeatures: 3, outFeatures: 2 })], { seed: 3 });
    const [w0] = await model.getWeights();
    model.setWeights([w0!, new Float32Array([0.25, -0.5])]);
    const x = new Float32Array([1, 2, 3, -1, 0, 1]);
    const y = new Int32Array([1, 0]);
    const refW = t64(w0!, [3, 2]);
    const refB = t64([0.25, -0.5], [2]);
    const logits = refDense(t64(x, [2, 3]), refW, refB);
    const { probs } = refSoftmaxCrossEntropy(logits, y);
    const d = refSoftmaxCrossEntropyBackward(probs, y);
    const g = refDenseBackward(t64(x, [2, 3]), refW, d);
    const opt = new SGD(ctx, model.params(), { lr: 1, momentum: 0, weightDecay: 0.5 });
    await trainStep(model, opt, { x, y }, [3]);
    const [w1, b1] = await model.getWeights();
    expectClose(w1!, refW.data.map((w, i) => w - (g.dw.data[i]! + 0.5 * w)), 'weight (decayed)');
    expectClose(b1!, refB.data.map((b, i) => b - g.db.data[i]!), 'bias (not decayed)');
    model.dispose();
  });
});

describe('issue 18: a label outside [0, classes) stops the training step', () => {
  for (const bad of [2, -1]) {
    it(`label ${bad} for 2 classes: ValidationError naming the sample, weights unchanged, nothing leaked`, async () => {
      const model = new Sequential(ctx, [new Dense({ inFeatures: 3, outFeatures: 2 })], { seed: 5 });
      const before = await model.getWeights();
      const opt = new SGD(ctx, model.params(), { lr: 0.5, momentum: 0.9 });
      const live = ctx.memory().tensors;
      const x = new Float32Array([1, 2, 3, -1, 0, 1]);
      const err = await trainStep(model, opt, { x, y: new Int32Array([0, bad]) }, [3]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).op).toBe('softmaxCrossEntropy');
      expect((err as ValidationError).message).toContain(`label ${bad} at sample 1`);
      const after = await model.getWeights();
      after.forEach((w, i) => expect(Array.from(w), `param ${i}`).toEqual(Array.from(before[i]!)));
      expect(ctx.memory().tensors).toBe(live);
      // a valid batch still trains (the weights do move)
      await trainStep(model, opt, { x, y: new Int32Array([0, 1]) }, [3]);
      expect(Array.from((await model.getWeights())[0]!)).not.toEqual(Array.from(before[0]!));
      model.dispose();
    });
  }
});

describe('no tensor leaks', () => {
  it('ctx.memory().tensors is flat across training steps and inference', async () => {
    const model = new Sequential(ctx, cases[0]!.make(), { seed: 1, inputShape: [2, 8, 8] });
    const opt = new SGD(ctx, model.params(), { lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
    const loss = new SoftmaxCrossEntropy();
    const counts: number[] = [];
    for (let s = 0; s < 6; s++) {
      const { x, y } = makeData(4, 2, 8, 8, 5, s);
      await trainStep(model, opt, { x, y }, [2, 8, 8], loss);
      counts.push(ctx.memory().tensors);
    }
    // 6 params + 6 velocities after the first step, nothing else
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBe(12);
    const before = ctx.memory();
    const xt = ctx.tensor(makeData(3, 2, 8, 8, 5, 9).x, [3, 2, 8, 8]);
    const out = await model.forward(xt, false);
    out.dispose();
    xt.dispose();
    expect(ctx.memory().tensors).toBe(before.tensors);
    expect(ctx.memory().dataIds).toBe(before.dataIds);
    model.dispose();
    for (const p of model.params()) expect(p.value.isDisposed).toBe(true);
  });
});
