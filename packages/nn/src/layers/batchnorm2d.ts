import type { Context, Tensor } from '@convkit/core';
import type { Layer } from '../layer.js';
import { Param } from '../param.js';

export interface BatchNorm2dLayerOptions {
  /** channels C of the [N, C, H, W] input */
  numFeatures: number;
  /** default 1e-5 (PyTorch) */
  eps?: number;
  /** weight of the batch statistic in the running update, PyTorch's rule; default 0.1 */
  momentum?: number;
  /** learnable per-channel scale gamma (ones) and shift beta (zeros); default true */
  affine?: boolean;
}

/**
 * Batch normalisation over N, H, W per channel (PyTorch BatchNorm2d), `ctx.batchNorm2d`.
 * - train mode (the default; `Sequential.train()`): normalises with the batch mean and biased
 *   variance, and replaces the running statistics with the op's returned updated ones
 *   (running = (1 - momentum) * running + momentum * batch, unbiased batch variance), disposing
 *   the old ones. Backward `ctx.batchNorm2dBackward`.
 * - eval mode (`Sequential.eval()`): normalises with the running statistics, which stay unchanged.
 *   Backward through eval mode (frozen statistics) is not implemented: forward with training =
 *   true in eval mode throws.
 * Running mean starts at 0, running variance at 1. gamma and beta get no weight decay.
 */
export class BatchNorm2d implements Layer {
  readonly kind = 'BatchNorm2d';
  readonly o: Required<BatchNorm2dLayerOptions>;
  gamma: Param | null = null;
  beta: Param | null = null;
  runningMean!: Tensor;
  runningVar!: Tensor;
  /** batch statistics (true) or running statistics (false) */
  training = true;
  #x: Tensor | null = null;

  constructor(o: BatchNorm2dLayerOptions | number) {
    const oo = typeof o === 'number' ? { numFeatures: o } : o;
    if (!Number.isInteger(oo.numFeatures) || oo.numFeatures < 1) throw new RangeError(`BatchNorm2d: numFeatures must be an integer >= 1, got ${oo.numFeatures}`);
    this.o = { eps: 1e-5, momentum: 0.1, affine: true, ...oo };
    if (!(Number.isFinite(this.o.eps) && this.o.eps >= 0)) throw new RangeError(`BatchNorm2d: eps must be a finite number >= 0, got ${this.o.eps}`);
    if (!(this.o.momentum >= 0 && this.o.momentum <= 1)) throw new RangeError(`BatchNorm2d: momentum must be in [0, 1], got ${this.o.momentum}`);
  }

  init(ctx: Context, _rng: unknown, name: string): void {
    const C = this.o.numFeatures;
    if (this.o.affine) {
      this.gamma = new Param(`${name}.weight`, ctx.tensor(new Float32Array(C).fill(1), [C]), false);
      this.beta = new Param(`${name}.bias`, ctx.zeros([C]), false);
    }
    this.runningMean = ctx.zeros([C]);
    this.runningVar = ctx.tensor(new Float32Array(C).fill(1), [C]);
  }

  setTraining(training: boolean): void {
    this.training = training;
  }

  outputShape(inShape: readonly number[]): number[] {
    if (inShape.length !== 3 || inShape[0] !== this.o.numFeatures) {
      throw new RangeError(`BatchNorm2d(${this.o.numFeatures}): per-sample input must be [${this.o.numFeatures}, H, W], got [${inShape.join(', ')}]`);
    }
    return [...inShape];
  }

  params(): Param[] {
    return this.gamma && this.beta ? [this.gamma, this.beta] : [];
  }

  async forward(ctx: Context, x: Tensor, training: boolean): Promise<Tensor> {
    if (training && !this.training) {
      throw new Error('BatchNorm2d: backward through eval mode (frozen running statistics) is not implemented; call model.train() before training');
    }
    const common = { gamma: this.gamma?.value ?? null, beta: this.beta?.value ?? null, runningMean: this.runningMean, runningVar: this.runningVar, eps: this.o.eps };
    if (!this.training) return (await ctx.batchNorm2d(x, { ...common, training: false })).y;
    const r = await ctx.batchNorm2d(x, { ...common, training: true, momentum: this.o.momentum });
    this.runningMean.dispose();
    this.runningVar.dispose();
    this.runningMean = r.runningMean!;
    this.runningVar = r.runningVar!;
    if (training) this.#x = x;
    return r.y;
  }

  async backward(ctx: Context, dy: Tensor, needDx: boolean): Promise<Tensor | null> {
    const x = this.#x;
    if (!x) throw new Error('BatchNorm2d.backward: no cached input (call forward with training = true first)');
    this.#x = null;
    const r = await ctx.batchNorm2dBackward(x, dy, { gamma: this.gamma?.value ?? null, eps: this.o.eps });
    if (this.gamma && this.beta) {
      this.gamma.setGrad(r.dgamma);
      this.beta.setGrad(r.dbeta);
    } else {
      r.dgamma.dispose();
      r.dbeta.dispose();
    }
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
    this.runningMean?.dispose();
    this.runningVar?.dispose();
  }
}
