/**
 * BatchNorm2d (train/eval switching, running statistics), AvgPool2d, GlobalAvgPool, ResidualBlock
 * and smallResNet against float64 @convkit/reference ops and finite differences through a float64
 * restatement of the block.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createContext, Registry, type Context } from '@convkit/core';
import { jsBackend } from '@convkit/backend-js';
import {
  compare,
  describeMismatch,
  refAdd,
  refAvgpool2d,
  refAvgpool2dBackward,
  refBatchNorm2d,
  refConv2d,
  refGlobalAvgPool2d,
  refGlobalAvgPool2dBackward,
  refRelu,
  type RefTensor,
  type TensorLike,
} from '@convkit/reference';
import { Adam, AvgPool2d, BatchNorm2d, GlobalAvgPool, ResidualBlock, Sequential, mulberry32, smallResNet, trainStep, evaluate } from './index.js';

let ctx: Context;
beforeAll(async () => {
  ctx = await createContext({ backend: 'js', registry: new Registry().register(jsBackend) });
});
afterAll(async () => {
  await ctx?.dispose();
});

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = { atol: 1e-4, rtol: 1e-3 }) {
  const r = compare(got, want, tol);
  if (!r.ok) throw new Error(`${what}: ${describeMismatch(r, tol)}`);
  expect(r.ok).toBe(true);
}
const t64 = (data: ArrayLike<number>, shape: readonly number[]): RefTensor => ({ data: Float64Array.from(data), shape: [...shape] });
const rand = (n: number, rng: () => number, scale = 1, shift = 0) => Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale + shift);

describe('BatchNorm2d layer: train mode (batch statistics, running update) and eval mode (running statistics)', () => {
  it('by hand: one training forward from (0, 1) gives running mean 0.1*mean and var 0.9 + 0.1*unbiased var', async () => {
    const model = new Sequential(ctx, [new BatchNorm2d(1)], { inputShape: [1, 2, 2] });
    const x = ctx.tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const y = await model.forward(x, false);
    const bn = model.layers[0] as BatchNorm2d;
    // mean 2.5, biased var 1.25, unbiased 5/3
    expectClose(await bn.runningMean.read(), [0.25], 'running mean');
    expectClose(await bn.runningVar.read(), [0.9 + 0.1 * (5 / 3)], 'running var');
    const s = Math.sqrt(1.25 + 1e-5);
    expectClose(await y.read(), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 'y');
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('4 training forwards track refBatchNorm2d (y and running statistics); eval uses the running ones and leaves them; train() switches back', async () => {
    const rng = mulberry32(4);
    const C = 3;
    const model = new Sequential(ctx, [new BatchNorm2d({ numFeatures: C, momentum: 0.2, eps: 1e-3 })], { inputShape: [C, 4, 5] });
    const bn = model.layers[0] as BatchNorm2d;
    const gamma = rand(C, rng, 0.5, 1);
    const beta = rand(C, rng, 0.5);
    model.setWeights([gamma, beta]);
    let rm: TensorLike = t64([0, 0, 0], [C]);
    let rv: TensorLike = t64([1, 1, 1], [C]);
    const before = ctx.memory().tensors;
    for (let step = 0; step < 4; step++) {
      const xs = rand(2 * C * 20, rng, 2, step);
      const x = ctx.tensor(xs, [2, C, 4, 5]);
      const y = await model.forward(x, true);
      const ref = refBatchNorm2d(t64(xs, [2, C, 4, 5]), { gamma: t64(gamma, [C]), beta: t64(beta, [C]), runningMean: rm, runningVar: rv }, { training: true, momentum: 0.2, eps: 1e-3 });
      expectClose(await y.read(), ref.y.data, `y at step ${step}`);
      rm = ref.runningMean!;
      rv = ref.runningVar!;
      expectClose(await bn.runningMean.read(), rm.data, `running mean after step ${step}`);
      expectClose(await bn.runningVar.read(), rv.data, `running var after step ${step}`);
      model.clear();
      for (const t of [x, y]) t.dispose();
      // the replaced running statistics were disposed
      expect(ctx.memory().tensors).toBe(before);
    }
    model.eval();
    expect(bn.training).toBe(false);
    const xs = rand(2 * C * 20, rng, 3);
    const x = ctx.tensor(xs, [2, C, 4, 5]);
    const y = await model.forward(x, false);
    const want = refBatchNorm2d(t64(xs, [2, C, 4, 5]), { gamma: t64(gamma, [C]), beta: t64(beta, [C]), runningMean: rm, runningVar: rv }, { training: false, eps: 1e-3 });
    expectClose(await y.read(), want.y.data, 'eval-mode y (running statistics)');
    expectClose(await bn.runningMean.read(), rm.data, 'running mean unchanged in eval');
    expectClose(await bn.runningVar.read(), rv.data, 'running var unchanged in eval');
    await expect(model.forward(x, true)).rejects.toThrow('backward through eval mode');
    model.train();
    const y2 = await model.forward(x, false);
    const batch = refBatchNorm2d(t64(xs, [2, C, 4, 5]), { gamma: t64(gamma, [C]), beta: t64(beta, [C]) }, { training: true, eps: 1e-3 });
    expectClose(await y2.read(), batch.y.data, 'train mode again: batch statistics');
    for (const t of [x, y, y2]) t.dispose();
    model.dispose();
  });

  it('refuses bad options and a per-sample shape with other channels', () => {
    expect(() => new BatchNorm2d(0)).toThrow(RangeError);
    expect(() => new BatchNorm2d({ numFeatures: 2, momentum: 1.5 })).toThrow('momentum must be in [0, 1]');
    expect(() => new Sequential(ctx, [new BatchNorm2d(3)], { inputShape: [2, 4, 4] })).toThrow('per-sample input must be [3, H, W]');
  });
});

describe('pooling layers against the float64 reference', () => {
  it('AvgPool2d (3x3 stride 2, explicit pads, ceil mode, count-include-pad) and GlobalAvgPool forward and backward', async () => {
    const rng = mulberry32(9);
    const xs = rand(2 * 3 * 7 * 6, rng);
    const dyRng = mulberry32(10);
    for (const o of [{ kernel: 3, stride: 2, padding: [1, 1, 0, 1] as const, ceilMode: true }, { kernel: 2 }, { kernel: 3, stride: 2, padding: 1, countIncludePad: true }]) {
      const layer = new AvgPool2d(o);
      const model = new Sequential(ctx, [layer]);
      const [C, oh, ow] = model.outputShape([3, 7, 6]);
      const x = ctx.tensor(xs, [2, 3, 7, 6]);
      const y = await layer.forward(ctx, x, true);
      const ro = { ...o, kernel: [o.kernel, o.kernel] as [number, number] };
      const ref = refAvgpool2d(t64(xs, [2, 3, 7, 6]), ro);
      expect([...y.shape]).toEqual([2, C, oh, ow]);
      expect([...y.shape]).toEqual(ref.shape);
      expectClose(await y.read(), ref.data, `avgpool ${JSON.stringify(o)} y`);
      const dys = rand(y.size, dyRng);
      const dy = ctx.tensor(dys, y.shape);
      const dx = (await layer.backward(ctx, dy, true))!;
      expectClose(await dx.read(), refAvgpool2dBackward(t64(dys, y.shape), [2, 3, 7, 6], ro).data, `avgpool ${JSON.stringify(o)} dx`);
      for (const t of [x, y, dy, dx]) t.dispose();
    }
    const g = new GlobalAvgPool();
    expect(g.outputShape([3, 7, 6])).toEqual([3, 1, 1]);
    const x = ctx.tensor(xs, [2, 3, 7, 6]);
    const y = await g.forward(ctx, x, true);
    expectClose(await y.read(), refGlobalAvgPool2d(t64(xs, [2, 3, 7, 6])).data, 'global avg y');
    const dy = ctx.tensor([1, 2, 3, 4, 5, 6], [2, 3, 1, 1]);
    const dx = (await g.backward(ctx, dy, true))!;
    expectClose(await dx.read(), refGlobalAvgPool2dBackward(t64([1, 2, 3, 4, 5, 6], [2, 3, 1, 1]), [2, 3, 7, 6]).data, 'global avg dx');
    for (const t of [x, y, dy, dx]) t.dispose();
  });
});

interface BlockParams {
  w1: TensorLike;
  g1: TensorLike;
  b1: TensorLike;
  w2: TensorLike;
  g2: TensorLike;
  b2: TensorLike;
  ws?: TensorLike;
  gs?: TensorLike;
  bs?: TensorLike;
}

/** The block in float64 from reference ops: relu(bn(conv(relu(bn(conv(x))))) + shortcut(x)), training-mode batch norm. */
function refBlock(x: TensorLike, p: BlockParams, stride: number): RefTensor {
  const bn = (t: TensorLike, g: TensorLike, b: TensorLike) => refBatchNorm2d(t, { gamma: g, beta: b }, { training: true }).y;
  const a = refRelu(bn(refConv2d(x, p.w1, null, { stride, padding: 'same' }), p.g1, p.b1));
  const main = bn(refConv2d(a, p.w2, null, { padding: 'same' }), p.g2, p.b2);
  const short = p.ws ? bn(refConv2d(x, p.ws, null, { stride, padding: 'same' }), p.gs!, p.bs!) : x;
  return refRelu(refAdd(main, short));
}

describe('ResidualBlock forward and backward against float64 finite differences', () => {
  for (const c of [
    { name: 'identity shortcut (4 -> 4, stride 1)', ci: 4, co: 4, stride: 1, hw: [6, 5] },
    { name: 'projection shortcut (3 -> 5, stride 2, odd size)', ci: 3, co: 5, stride: 2, hw: [7, 6] },
  ]) {
    it(c.name, async () => {
      const rng = mulberry32(31 + c.ci);
      const block = new ResidualBlock({ inChannels: c.ci, outChannels: c.co, stride: c.stride });
      const model = new Sequential(ctx, [block], { seed: 5, inputShape: [c.ci, ...c.hw] });
      const names = model.params().map((p) => p.name);
      const proj = c.stride !== 1 || c.ci !== c.co;
      expect(names).toEqual([
        'residualblock1.conv1.weight',
        'residualblock1.bn1.weight',
        'residualblock1.bn1.bias',
        'residualblock1.conv2.weight',
        'residualblock1.bn2.weight',
        'residualblock1.bn2.bias',
        ...(proj ? ['residualblock1.shortcut.conv.weight', 'residualblock1.shortcut.bn.weight', 'residualblock1.shortcut.bn.bias'] : []),
      ]);
      // non-trivial gamma / beta so their gradients and the shift matter
      const ws = await model.getWeights();
      const set = ws.map((w, i) => (names[i]!.endsWith('bn1.weight') || names[i]!.endsWith('bn2.weight') || names[i]!.endsWith('bn.weight') ? rand(w.length, rng, 0.3, 1) : names[i]!.endsWith('.bias') ? rand(w.length, rng, 0.2) : w));
      model.setWeights(set);
      const shapes = model.params().map((p) => p.shape);
      const P = (vals: readonly ArrayLike<number>[]): BlockParams => {
        const T = (i: number) => t64(vals[i]!, shapes[i]!);
        return { w1: T(0), g1: T(1), b1: T(2), w2: T(3), g2: T(4), b2: T(5), ...(proj ? { ws: T(6), gs: T(7), bs: T(8) } : {}) };
      };
      const N = 3;
      const xShape = [N, c.ci, ...c.hw];
      const xs = rand(N * c.ci * c.hw[0]! * c.hw[1]!, rng);
      const x = ctx.tensor(xs, xShape);
      const y = await block.forward(ctx, x, true);
      const yRef = refBlock(t64(xs, xShape), P(set), c.stride);
      expect([...y.shape]).toEqual(yRef.shape);
      expect([...y.shape]).toEqual([N, ...model.outputShape([c.ci, ...c.hw])]);
      expectClose(await y.read(), yRef.data, 'forward');
      // L = sum(y * r): dL/dy = r
      const r = rand(y.size, rng);
      const dy = ctx.tensor(r, y.shape);
      const dx = (await block.backward(ctx, dy, true))!;
      const dxs = await dx.read();
      const grads = await Promise.all(model.params().map((p) => p.grad!.read()));
      const loss = (xv: ArrayLike<number>, pv: readonly ArrayLike<number>[]) => {
        const out = refBlock(t64(xv, xShape), P(pv), c.stride).data;
        let s = 0;
        for (let i = 0; i < out.length; i++) s += out[i]! * r[i]!;
        return s;
      };
      const h = 1e-6;
      const fd = (bump: (d: number) => number) => (bump(h) - bump(-h)) / (2 * h);
      const tol = { atol: 2e-4, rtol: 2e-3 };
      const pick = (n: number, k: number) => Array.from({ length: k }, (_, i) => Math.floor(((i + 0.5) / k) * n));
      const xi = pick(xs.length, 12);
      expectClose(
        xi.map((i) => dxs[i]!),
        xi.map((i) =>
          fd((d) => {
            const xv = Float64Array.from(xs);
            xv[i]! += d;
            return loss(xv, set);
          }),
        ),
        'dx vs finite differences',
        tol,
      );
      set.forEach((w, k) => {
        const idx = pick(w.length, Math.min(w.length, 6));
        expectClose(
          idx.map((i) => grads[k]![i]!),
          idx.map((i) =>
            fd((d) => {
              const pv = set.map((v) => Float64Array.from(v));
              pv[k]![i]! += d;
              return loss(xs, pv);
            }),
          ),
          `d ${names[k]} vs finite differences`,
          tol,
        );
      });
      for (const t of [x, y, dy, dx]) t.dispose();
      model.dispose();
    });
  }
});

describe('smallResNet', () => {
  it('stem, 3 stages at 28, 14, 7, global pool, dense; trains with Adam without leaking; eval() reaches every batch norm', async () => {
    const model = smallResNet(ctx, { seed: 2, channels: [4, 8, 16] });
    expect(model.layers.map((l) => l.kind)).toEqual(['Conv2d', 'BatchNorm2d', 'ReLU', 'ResidualBlock', 'ResidualBlock', 'ResidualBlock', 'GlobalAvgPool', 'Flatten', 'Dense']);
    expect(model.outputShape([1, 28, 28])).toEqual([10]);
    const blocks = model.layers.filter((l): l is ResidualBlock => l instanceof ResidualBlock);
    expect(blocks.map((b) => b.outputShape([b.o.inChannels, 28, 28]))).toEqual([[4, 28, 28], [8, 14, 14], [16, 14, 14]]);
    expect(blocks.map((b) => b.shortcut.length)).toEqual([0, 2, 2]);
    const opt = new Adam(ctx, model.params(), { lr: 3e-3 });
    const rng = mulberry32(3);
    const x = rand(6 * 784, rng, 0.5, 0.5);
    const y = Int32Array.from({ length: 6 }, (_, i) => i % 3);
    const l0 = await trainStep(model, opt, { x, y }, [1, 28, 28]);
    const tensors = ctx.memory().tensors;
    let l = l0;
    for (let s = 0; s < 5; s++) l = await trainStep(model, opt, { x, y }, [1, 28, 28]);
    expect(ctx.memory().tensors).toBe(tensors);
    expect(l).toBeLessThan(l0);
    model.eval();
    expect(blocks.every((b) => !b.bn1.training && !b.bn2.training)).toBe(true);
    model.train();
    // evaluate runs in eval mode and restores train mode
    const acc = await evaluate(model, x, y, [1, 28, 28]);
    expect(acc).toBeGreaterThanOrEqual(0);
    expect(model.training).toBe(true);
    expect(blocks.every((b) => b.bn1.training)).toBe(true);
    expect(ctx.memory().tensors).toBe(tensors);
    model.dispose();
    expect(() => smallResNet(ctx, { channels: [8] })).toThrow('2 or 3 integers');
  });
});

