import type { DataId, SgdParams } from '@convkit/core';
import type { Storage } from '../storage.js';

/** In place: v = momentum*v + g + weightDecay*w; w = w - lr*v. */
export function sgd(s: Storage, w: DataId, g: DataId, v: DataId, p: SgdParams): void {
  const W = s.f(w);
  const G = s.f(g);
  const V = s.f(v);
  for (let i = 0; i < p.size; i++) {
    V[i] = p.momentum * V[i]! + G[i]! + p.weightDecay * W[i]!;
    W[i] = W[i]! - p.lr * V[i]!;
  }
}
