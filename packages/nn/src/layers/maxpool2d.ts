import type { Context, Padding, Tensor } from '@convkit/core';
import type { Layer } from '../layer.js';
import type { Param } from '../param.js';

export interface MaxPool2dLayerOptions {
  kernel: number | readonly [number, number];
  /** default: the kernel */
  stride?: number | readonly [number, number];
  /** default 'same' (course centring: positions outside the image are skipped) */
  padding?: Padding;
}

/** Max pooling: forward `ctx.maxpool2d` (keeps the int32 argmax indices), backward scatters dy to them. */
export class MaxPool2d implements Layer {
  readonly kind = 'MaxPool2d';
  readonly o: MaxPool2dLayerOptions;
  #indices: Tensor | null = null;
  #inShape: [number, number, number, number] | null = null;

  constructor(o: MaxPool2dLayerOptions | number) {
    this.o = typeof o === 'number' ? { kernel: o } : o;
  }

  init(): void {}

  outputShape(inShape: readonly number[]): number[] {
    const [C, H, W] = inShape as [number, number, number];
    const k = this.o.kernel;
    const [kh, kw] = typeof k === 'number' ? [k, k] : k;
    const s = this.o.stride ?? k;
    const [sh, sw] = typeof s === 'number' ? [s, s] : s;
    const p = this.o.padding ?? 'same';
    if (p === 'same') return [C, Math.floor((H - 1) / sh) + 1, Math.floor((W - 1) / sw) + 1];
    const pad = p === 'valid' ? [0, 0, 0, 0] : typeof p === 'number' ? [p, p, p, p] : p;
    return [C, Math.floor((H + pad[0]! + pad[1]! - kh) / sh) + 1, Math.floor((W + pad[2]! + pad[3]! - kw) / sw) + 1];
  }

  params(): Param[] {
    return [];
  }

  async forward(ctx: Context, x: Tensor, training: boolean): Promise<Tensor> {
    const { y, indices } = await ctx.maxpool2d(x, this.o);
    if (training) {
      this.clear();
      this.#indices = indices;
      this.#inShape = x.shape as unknown as [number, number, number, number];
    } else {
      indices.dispose();
    }
    return y;
  }

  async backward(ctx: Context, dy: Tensor, needDx: boolean): Promise<Tensor | null> {
    const idx = this.#indices;
    if (!idx || !this.#inShape) throw new Error('MaxPool2d.backward: no cached indices (call forward with training = true first)');
    try {
      if (!needDx) return null;
      return await ctx.maxpool2dBackward(dy, idx, { ...this.o, inputShape: this.#inShape });
    } finally {
      this.clear();
    }
  }

  clear(): void {
    this.#indices?.dispose();
    this.#indices = null;
    this.#inShape = null;
  }

  dispose(): void {
    this.clear();
  }
}
