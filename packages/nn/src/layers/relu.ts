import type { Context, Tensor } from '@convkit/core';
import type { Layer } from '../layer.js';
import type { Param } from '../param.js';

/** max(x, 0); backward passes dy where x > 0. */
export class ReLU implements Layer {
  readonly kind = 'ReLU';
  #x: Tensor | null = null;

  init(): void {}

  outputShape(inShape: readonly number[]): number[] {
    return [...inShape];
  }

  params(): Param[] {
    return [];
  }

  async forward(ctx: Context, x: Tensor, training: boolean): Promise<Tensor> {
    const y = await ctx.relu(x);
    if (training) this.#x = x;
    return y;
  }

  async backward(ctx: Context, dy: Tensor, needDx: boolean): Promise<Tensor | null> {
    const x = this.#x;
    if (!x) throw new Error('ReLU.backward: no cached input (call forward with training = true first)');
    this.#x = null;
    return needDx ? ctx.reluBackward(x, dy) : null;
  }

  clear(): void {
    this.#x = null;
  }

  dispose(): void {
    this.clear();
  }
}
