import type { Context, Tensor } from '@convkit/core';
import type { Layer } from './layer.js';
import type { Param } from './param.js';
import { mulberry32 } from '@convkit/reference';

export interface SequentialOptions {
  /** PRNG seed of the initializer (default 1): same seed, same weights, on every backend */
  seed?: number;
  /** per-sample input shape, e.g. [1, 28, 28]; checked against each layer's outputShape */
  inputShape?: readonly number[];
}

/**
 * Layers applied in order. The constructor initialises every layer's parameters on ctx from one
 * mulberry32 stream seeded with `seed`, in layer order.
 *
 * Ownership: `forward(x, true)` keeps the intermediate activations (and a reference to x, which the
 * caller must keep alive) until `backward`, which disposes them. The returned output is the
 * caller's. `forward(x, false)` disposes intermediates at once.
 */
export class Sequential {
  readonly layers: readonly Layer[];
  readonly seed: number;
  /** train mode (the default, as PyTorch modules) or eval mode; see train() and eval() */
  training = true;
  #acts: Tensor[] = [];
  #disposed = false;

  constructor(
    readonly ctx: Context,
    layers: readonly Layer[],
    o: SequentialOptions = {},
  ) {
    this.layers = [...layers];
    this.seed = o.seed ?? 1;
    const rng = mulberry32(this.seed);
    const counts = new Map<string, number>();
    for (const l of this.layers) {
      const n = (counts.get(l.kind) ?? 0) + 1;
      counts.set(l.kind, n);
      l.init(ctx, rng, `${l.kind.toLowerCase()}${n}`);
    }
    if (o.inputShape) this.outputShape(o.inputShape);
  }

  /**
   * Train mode (PyTorch's module.train()): batch norm normalises with batch statistics and updates
   * its running statistics. `train(false)` is eval(). Returns the model.
   */
  train(training = true): this {
    this.training = training;
    for (const l of this.layers) l.setTraining?.(training);
    return this;
  }

  /** Eval mode (PyTorch's module.eval()): batch norm uses its running statistics. Returns the model. */
  eval(): this {
    return this.train(false);
  }

  /** Per-sample output shape for a per-sample input shape. */
  outputShape(inShape: readonly number[]): number[] {
    let s = [...inShape];
    for (const l of this.layers) s = l.outputShape(s);
    return s;
  }

  params(): Param[] {
    return this.layers.flatMap((l) => l.params());
  }

  /** Number of trainable scalars. */
  paramCount(): number {
    return this.params().reduce((a, p) => a + p.value.size, 0);
  }

  async forward(x: Tensor, training = false): Promise<Tensor> {
    if (this.#disposed) throw new Error('Sequential: the model was disposed');
    this.clear();
    let cur = x;
    try {
      for (const l of this.layers) {
        const y = await l.forward(this.ctx, cur, training);
        if (cur !== x) {
          if (training) this.#acts.push(cur);
          else cur.dispose();
        }
        cur = y;
      }
    } catch (e) {
      if (cur !== x) cur.dispose();
      this.clear();
      throw e;
    }
    return cur;
  }

  /**
   * Backpropagates dL/doutput through every layer (last to first), setting each Param's grad.
   * dy stays the caller's. The first layer's dx is not computed.
   */
  async backward(dy: Tensor): Promise<void> {
    let cur = dy;
    try {
      for (let i = this.layers.length - 1; i >= 0; i--) {
        const dx = await this.layers[i]!.backward(this.ctx, cur, i > 0);
        if (cur !== dy) cur.dispose();
        cur = dx as Tensor;
        // the activation that fed layer i is no longer needed
        if (i > 0) this.#acts.pop()?.dispose();
      }
    } finally {
      if (cur && cur !== dy) cur.dispose();
      this.clear();
    }
  }

  /** Drops cached activations and layer caches. */
  clear(): void {
    for (const t of this.#acts) t.dispose();
    this.#acts = [];
    for (const l of this.layers) l.clear();
  }

  /** Parameter values, in params() order (float32 copies). */
  async getWeights(): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const p of this.params()) out.push((await p.value.read()) as Float32Array);
    return out;
  }

  /** Replaces parameter values (same order and sizes as getWeights). */
  setWeights(ws: readonly Float32Array[]): void {
    const ps = this.params();
    if (ws.length !== ps.length) throw new Error(`setWeights: ${ps.length} arrays expected, got ${ws.length}`);
    ps.forEach((p, i) => {
      const w = ws[i]!;
      if (w.length !== p.value.size) throw new Error(`setWeights: ${p.name} needs ${p.value.size} values, got ${w.length}`);
      const t = this.ctx.tensor(w, p.value.shape);
      p.value.dispose();
      p.value = t;
    });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.clear();
    for (const l of this.layers) l.dispose();
  }
}
