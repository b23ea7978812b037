import { windowGeometry, type AvgPoolOptions, type Context, type Tensor } from '@convkit/core';
import type { Layer } from '../layer.js';
import type { Param } from '../param.js';

export type AvgPool2dLayerOptions = Omit<AvgPoolOptions, 'kernel'> & { kernel: number | readonly [number, number] };

const pair = (v: number | readonly [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/**
 * Average pooling (ONNX AveragePool): forward `ctx.avgpool2d`, backward `ctx.avgpool2dBackward`.
 * Options as the op: stride (default the kernel), padding (default 'same'), dilation, ceilMode,
 * countIncludePad (default false).
 */
export class AvgPool2d implements Layer {
  readonly kind = 'AvgPool2d';
  readonly o: AvgPoolOptions;
  #inShape: [number, number, number, number] | null = null;

  constructor(o: AvgPool2dLayerOptions | number) {
    const oo = typeof o === 'number' ? { kernel: o } : o;
    this.o = { ...oo, kernel: pair(oo.kernel) };
  }

  init(): void {}

  outputShape(inShape: readonly number[]): number[] {
    const [C, H, W] = inShape as [number, number, number];
    const k = this.o.kernel as [number, number];
    const g = windowGeometry('AvgPool2d', H, W, { kernel: k, stride: this.o.stride ?? k, dilation: this.o.dilation, padding: this.o.padding, ceilMode: this.o.ceilMode }, {});
    return [C, g.outH, g.outW];
  }

  params(): Param[] {
    return [];
  }

  async forward(ctx: Context, x: Tensor, training: boolean): Promise<Tensor> {
    const y = await ctx.avgpool2d(x, this.o);
    if (training) this.#inShape = x.shape as unknown as [number, number, number, number];
    return y;
  }

  async backward(ctx: Context, dy: Tensor, needDx: boolean): Promise<Tensor | null> {
    const s = this.#inShape;
    if (!s) throw new Error('AvgPool2d.backward: no cached shape (call forward with training = true first)');
    this.#inShape = null;
    return needDx ? ctx.avgpool2dBackward(dy, { ...this.o, inputShape: s }) : null;
  }

  clear(): void {
    this.#inShape = null;
  }

  dispose(): void {
    this.clear();
  }
}
