import type { Context } from '@convkit/core';
import type { Param } from './param.js';
import type { Optimizer } from './optimizer.js';

export interface AdamOptimizerOptions {
  /** default 1e-3 (PyTorch) */
  lr?: number;
  /** [beta1, beta2], each in [0, 1); default [0.9, 0.999] */
  betas?: readonly [number, number];
  /** added to the bias-corrected sqrt(v), outside the square root; default 1e-8 */
  eps?: number;
  /**
   * L2 penalty added to the gradient (torch.optim.Adam's weight_decay, not AdamW's decoupled
   * decay): g = g + weightDecay * w. As SGD here, it applies to weights only (Param.decay), never to
   * biases or batch-norm scales and shifts (PyTorch with two param groups). Default 0.
   */
  weightDecay?: number;
}

interface Moments {
  m: Float32Array;
  v: Float32Array;
}

/**
 * Adam with PyTorch's update (torch.optim.Adam, amsgrad off), per element, at step t = 1, 2, ...:
 *   g = grad + weightDecay * w
 *   m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
 *   w = w - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * The moments start at zero and are float32 (the parameter dtype, as PyTorch keeps them).
 *
 * The update runs on the host: core has no elementwise sqrt or division op yet, so each step reads
 * every param and gradient once, updates in float64 arithmetic and uploads the new value (the
 * Param's value tensor is replaced; the old one is disposed). Identical gradients give identical
 * weights on every backend.
 */
export class Adam implements Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** number of steps taken */
  t = 0;
  readonly #moments = new Map<Param, Moments>();

  constructor(
    readonly ctx: Context,
    readonly params: readonly Param[],
    o: AdamOptimizerOptions = {},
  ) {
    const lr = o.lr ?? 1e-3;
    const [b1, b2] = o.betas ?? [0.9, 0.999];
    const eps = o.eps ?? 1e-8;
    const wd = o.weightDecay ?? 0;
    if (!(Number.isFinite(lr) && lr >= 0)) throw new RangeError(`Adam: lr must be a finite number >= 0, got ${lr}`);
    for (const [k, b] of [['betas[0]', b1], ['betas[1]', b2]] as const) {
      if (!(Number.isFinite(b) && b >= 0 && b < 1)) throw new RangeError(`Adam: ${k} must be in [0, 1), got ${b}`);
    }
    if (!(Number.isFinite(eps) && eps >= 0)) throw new RangeError(`Adam: eps must be a finite number >= 0, got ${eps}`);
    if (!(Number.isFinite(wd) && wd >= 0)) throw new RangeError(`Adam: weightDecay must be a finite number >= 0, got ${wd}`);
    this.lr = lr;
    this.beta1 = b1;
    this.beta2 = b2;
    this.eps = eps;
    this.weightDecay = wd;
  }

  /** The first and second moments of a param (copies; null before its first step). */
  moments(p: Param): { m: Float32Array; v: Float32Array } | null {
    const s = this.#moments.get(p);
    return s ? { m: s.m.slice(), v: s.v.slice() } : null;
  }

  async step(): Promise<void> {
    for (const p of this.params) {
      if (!p.grad) throw new Error(`Adam.step: ${p.name} has no gradient (run backward first)`);
    }
    const t = this.t + 1;
    const { beta1: b1, beta2: b2, eps, lr } = this;
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    for (const p of this.params) {
      const g = await p.grad!.read();
      const w = await p.value.read();
      let s = this.#moments.get(p);
      if (!s) {
        s = { m: new Float32Array(w.length), v: new Float32Array(w.length) };
        this.#moments.set(p, s);
      }
      const wd = p.decay ? this.weightDecay : 0;
      const out = new Float32Array(w.length);
      const { m, v } = s;
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]! + wd * w[i]!;
        m[i] = b1 * m[i]! + (1 - b1) * gi;
        v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
        out[i] = w[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2Sqrt + eps);
      }
      const next = this.ctx.tensor(out, p.value.shape);
      p.value.dispose();
      p.value = next;
      p.clearGrad();
    }
    this.t = t;
  }
}
