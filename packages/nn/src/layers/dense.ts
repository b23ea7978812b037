import type { Context, Tensor } from '@convkit/core';
import type { Layer } from '../layer.js';
import { Param } from '../param.js';
import { heUniform, type Rng } from '../init.js';

export interface DenseLayerOptions {
  inFeatures: number;
  outFeatures: number;
  /** default true */
  bias?: boolean;
}

/**
 * Fully connected layer y = x w + b with w [in, out] (the course's layout; He uniform, fan_in =
 * in) and b [out] (zeros). Forward `ctx.dense`, backward `ctx.denseBackward`.
 */
export class Dense implements Layer {
  readonly kind = 'Dense';
  readonly o: Required<DenseLayerOptions>;
  weight!: Param;
  bias: Param | null = null;
  #x: Tensor | null = null;

  constructor(o: DenseLayerOptions) {
    this.o = { bias: true, ...o };
  }

  init(ctx: Context, rng: Rng, name: string): void {
    const { inFeatures: i, outFeatures: o } = this.o;
    this.weight = new Param(`${name}.weight`, ctx.tensor(heUniform(i * o, i, rng), [i, o]), true);
    if (this.o.bias) this.bias = new Param(`${name}.bias`, ctx.zeros([o]), false);
  }

  outputShape(): number[] {
    return [this.o.outFeatures];
  }

  params(): Param[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  async forward(ctx: Context, x: Tensor, training: boolean): Promise<Tensor> {
    const y = await ctx.dense(x, this.weight.value, this.bias?.value ?? null);
    if (training) this.#x = x;
    return y;
  }

  async backward(ctx: Context, dy: Tensor, needDx: boolean): Promise<Tensor | null> {
    const x = this.#x;
    if (!x) throw new Error('Dense.backward: no cached input (call forward with training = true first)');
    this.#x = null;
    const r = await ctx.denseBackward(x, this.weight.value, dy);
    this.weight.setGrad(r.dw);
    if (this.bias) this.bias.setGrad(r.db);
    else r.db.dispose();
    if (!needDx) {
      r.dx.dispose();
      return null;
    }
    return r.dx;
  }

  clear(): void {
    this.#x = null;
  }

  dispose(): void {
    this.clear();
    for (const p of this.params()) p.dispose();
  }
}
