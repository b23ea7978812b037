import type { Context, Tensor } from '@convkit/core';
import type { Layer } from '../layer.js';
import type { Param } from '../param.js';

/**
 * Global average pooling (ONNX GlobalAveragePool, PyTorch AdaptiveAvgPool2d(1)): [N, C, H, W] ->
 * [N, C, 1, 1] (follow it with Flatten for a Dense head). Forward `ctx.globalAvgPool2d`, backward
 * `ctx.globalAvgPool2dBackward`.
 */
export class GlobalAvgPool implements Layer {
  readonly kind = 'GlobalAvgPool';
  #inShape: [number, number, number, number] | null = null;

  init(): void {}

  outputShape(inShape: readonly number[]): number[] {
    return [inShape[0]!, 1, 1];
  }

  params(): Param[] {
    return [];
  }

  async forward(ctx: Context, x: Tensor, training: boolean): Promise<Tensor> {
    const y = await ctx.globalAvgPool2d(x);
    if (training) this.#inShape = x.shape as unknown as [number, number, number, number];
    return y;
  }

  async backward(ctx: Context, dy: Tensor, needDx: boolean): Promise<Tensor | null> {
    const s = this.#inShape;
    if (!s) throw new Error('GlobalAvgPool.backward: no cached shape (call forward with training = true first)');
    this.#inShape = null;
    return needDx ? ctx.globalAvgPool2dBackward(dy, { inputShape: s }) : null;
  }

  clear(): void {
    this.#inShape = null;
  }

  dispose(): void {
    this.clear();
  }
}
