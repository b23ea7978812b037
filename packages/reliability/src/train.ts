/**
 * A tiny CNN training step written with Context ops only: conv(3x3, bias) -> relu -> maxpool(2)
 * -> dense -> softmax cross-entropy, backward through all of it, SGD with momentum on every
 * parameter. Every intermediate is disposed, so a run of N steps must leave the live tensor count
 * and the backend's memory exactly where they were (the leak test).
 */
import type { Context, Tensor } from '@convkit/core';
import { values } from './values.js';

export interface TinyNet {
  ctx: Context;
  x: Tensor;
  labels: Tensor;
  params: { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };
  vel: { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };
  dims: { N: number; C: number; H: number; W: number; K: number; classes: number };
}

export function tinyNet(ctx: Context, seed = 1): TinyNet {
  const [N, C, H, W, K, classes] = [4, 1, 6, 6, 4, 3];
  const feat = K * (H / 2) * (W / 2);
  const scaled = (n: number, s: number, scale: number) => values(n, s).map((v) => v * scale);
  const t = (v: Float32Array, shape: number[]) => ctx.tensor(v, shape);
  return {
    ctx,
    x: t(values(N * C * H * W, seed), [N, C, H, W]),
    labels: ctx.tensor(Int32Array.from({ length: N }, (_, i) => i % classes), [N]),
    params: {
      w1: t(scaled(K * C * 9, seed + 1, 0.5), [K, C, 3, 3]),
      b1: t(new Float32Array(K), [K]),
      w2: t(scaled(feat * classes, seed + 2, 0.3), [feat, classes]),
      b2: t(new Float32Array(classes), [classes]),
    },
    vel: {
      w1: ctx.zeros([K, C, 3, 3]),
      b1: ctx.zeros([K]),
      w2: ctx.zeros([feat, classes]),
      b2: ctx.zeros([classes]),
    },
    dims: { N, C, H, W, K, classes },
  };
}

/** One step; returns the loss before the update. Disposes every tensor it creates. */
export async function trainStep(net: TinyNet, lr = 0.1, momentum = 0.9): Promise<number> {
  const { ctx, x, labels, params: p, vel: v, dims } = net;
  const tmp: Tensor[] = [];
  const k = <T extends Tensor | undefined>(t: T): T => {
    if (t) tmp.push(t);
    return t;
  };
  try {
    const z = k(await ctx.conv2d(x, p.w1, { bias: p.b1 }));
    const a = k(await ctx.relu(z));
    const pool = await ctx.maxpool2d(a, { kernel: 2 });
    k(pool.y);
    k(pool.indices);
    const flat = k(pool.y.reshape([dims.N, pool.y.size / dims.N]));
    const logits = k(await ctx.dense(flat, p.w2, p.b2));
    const xent = await ctx.softmaxCrossEntropy(logits, labels);
    k(xent.loss);
    k(xent.probs);
    const loss = (await xent.loss.read())[0]!;
    const dlogits = k(await ctx.softmaxCrossEntropyBackward(xent.probs, labels));
    const d2 = await ctx.denseBackward(flat, p.w2, dlogits);
    k(d2.dx);
    k(d2.dw);
    k(d2.db);
    const dpool = k(d2.dx.reshape(pool.y.shape));
    const da = k(await ctx.maxpool2dBackward(dpool, pool.indices, { kernel: 2, inputShape: a.shape as [number, number, number, number] }));
    const dz = k(await ctx.reluBackward(z, da));
    const d1 = await ctx.conv2dBackward(x, p.w1, dz, { wants: { dx: false, dw: true, db: true } });
    k(d1.dx);
    k(d1.dw);
    k(d1.db);
    await ctx.sgd(p.w1, d1.dw!, v.w1, { lr, momentum, weightDecay: 1e-4 });
    await ctx.sgd(p.b1, d1.db!, v.b1, { lr, momentum });
    await ctx.sgd(p.w2, d2.dw, v.w2, { lr, momentum, weightDecay: 1e-4 });
    await ctx.sgd(p.b2, d2.db, v.b2, { lr, momentum });
    return loss;
  } finally {
    for (const t of tmp) t.dispose();
  }
}

export function disposeNet(net: TinyNet): void {
  for (const t of [net.x, net.labels, ...Object.values(net.params), ...Object.values(net.vel)]) t.dispose();
}
