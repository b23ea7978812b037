import type { Context, Tensor } from '@convkit/core';
import type { Layer } from '../layer.js';
import type { Param } from '../param.js';

/** [N, ...] -> [N, prod(...)], sharing storage (a reshape; no copy, no backend op). */
export class Flatten implements Layer {
  readonly kind = 'Flatten';
  #inShape: readonly number[] | null = null;

  init(): void {}

  outputShape(inShape: readonly number[]): number[] {
    return [inShape.reduce((a, b) => a * b, 1)];
  }

  params(): Param[] {
    return [];
  }

  async forward(_ctx: Context, x: Tensor, training: boolean): Promise<Tensor> {
    if (training) this.#inShape = x.shape;
    return x.reshape([x.shape[0]!, x.size / x.shape[0]!]);
  }

  async backward(_ctx: Context, dy: Tensor, needDx: boolean): Promise<Tensor | null> {
    const s = this.#inShape;
    if (!s) throw new Error('Flatten.backward: no cached shape (call forward with training = true first)');
    this.#inShape = null;
    return needDx ? dy.reshape(s) : null;
  }

  clear(): void {
    this.#inShape = null;
  }

  dispose(): void {
    this.clear();
  }
}
