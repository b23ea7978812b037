import type { DataId, SgdParams } from '@convkit/core';
import type { NaiveRuntime } from '../runtime.js';

/** In place: v = momentum*v + g + weightDecay*w; w = w - lr*v. */
export function sgd(rt: NaiveRuntime, w: DataId, g: DataId, v: DataId, p: SgdParams): void {
  const W = rt.f(w);
  const G = rt.f(g);
  const V = rt.f(v);
  for (let i = 0; i < p.size; i++) {
    V[i] = p.momentum * V[i]! + G[i]! + p.weightDecay * W[i]!;
    W[i] = W[i]! - p.lr * V[i]!;
  }
}
