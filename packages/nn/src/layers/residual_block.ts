import type { Context, Tensor } from '@convkit/core';
import type { Layer } from '../layer.js';
import type { Param } from '../param.js';
import type { Rng } from '../init.js';
import { Conv2d } from './conv2d.js';
import { BatchNorm2d } from './batchnorm2d.js';
import { ReLU } from './relu.js';

export interface ResidualBlockLayerOptions {
  inChannels: number;
  outChannels: number;
  /** stride of the first 3x3 conv (and of the projection); default 1 */
  stride?: number;
  /** batch-norm momentum (PyTorch rule); default 0.1 */
  momentum?: number;
}

/** Runs layers in order; with `training` keeps every intermediate output in `acts` (owned there). */
async function chainForward(ctx: Context, layers: readonly Layer[], x: Tensor, training: boolean, acts: Tensor[]): Promise<Tensor> {
  let cur = x;
  try {
    for (const l of layers) {
      const y = await l.forward(ctx, cur, training);
      if (cur !== x) {
        if (training) acts.push(cur);
        else cur.dispose();
      }
      cur = y;
    }
  } catch (e) {
    if (cur !== x) cur.dispose();
    throw e;
  }
  return cur;
}

/** Backward through layers (last to first); dy stays the caller's; disposes `acts` as it goes. */
async function chainBackward(ctx: Context, layers: readonly Layer[], dy: Tensor, needDx: boolean, acts: Tensor[]): Promise<Tensor | null> {
  let cur: Tensor | null = dy;
  try {
    for (let i = layers.length - 1; i >= 0; i--) {
      const dx: Tensor | null = await layers[i]!.backward(ctx, cur!, i > 0 || needDx);
      if (cur !== dy) cur!.dispose();
      cur = dx;
      if (i > 0) acts.pop()?.dispose();
    }
    const out = cur;
    cur = null;
    return out;
  } finally {
    if (cur && cur !== dy) cur.dispose();
  }
}

/**
 * The basic residual block of ResNet-18/34 (He et al. 2016; torchvision BasicBlock):
 *   y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
 * conv1 3x3 (stride s), conv2 3x3, both without bias and with 'same' padding; the shortcut is the
 * identity when s = 1 and the channels match, else a 1x1 conv with stride s (no bias) and a batch
 * norm (the projection shortcut, option B of the paper). The addition is `ctx.add`; backward sends
 * its gradient to both branches and adds their input gradients.
 */
export class ResidualBlock implements Layer {
  readonly kind = 'ResidualBlock';
  readonly o: Required<ResidualBlockLayerOptions>;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  /** [conv1x1, bn] for a projection shortcut, [] for the identity */
  readonly shortcut: Layer[];
  readonly #main: Layer[];
  readonly #relu = new ReLU();
  #mainActs: Tensor[] = [];
  #shortActs: Tensor[] = [];
  /** the pre-activation sum (ReLU's cached input), owned here */
  #sum: Tensor | null = null;

  constructor(o: ResidualBlockLayerOptions) {
    for (const k of ['inChannels', 'outChannels'] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 1) throw new RangeError(`ResidualBlock: ${k} must be an integer >= 1, got ${o[k]}`);
    }
    this.o = { stride: 1, momentum: 0.1, ...o };
    const { inChannels: ci, outChannels: co, stride: s, momentum } = this.o;
    if (!Number.isInteger(s) || s < 1) throw new RangeError(`ResidualBlock: stride must be an integer >= 1, got ${s}`);
    this.conv1 = new Conv2d({ inChannels: ci, outChannels: co, kernel: 3, stride: s, bias: false });
    this.bn1 = new BatchNorm2d({ numFeatures: co, momentum });
    this.conv2 = new Conv2d({ inChannels: co, outChannels: co, kernel: 3, bias: false });
    this.bn2 = new BatchNorm2d({ numFeatures: co, momentum });
    this.#main = [this.conv1, this.bn1, new ReLU(), this.conv2, this.bn2];
    this.shortcut = s !== 1 || ci !== co ? [new Conv2d({ inChannels: ci, outChannels: co, kernel: 1, stride: s, bias: false }), new BatchNorm2d({ numFeatures: co, momentum })] : [];
  }

  init(ctx: Context, rng: Rng, name: string): void {
    this.conv1.init(ctx, rng, `${name}.conv1`);
    this.bn1.init(ctx, rng, `${name}.bn1`);
    this.conv2.init(ctx, rng, `${name}.conv2`);
    this.bn2.init(ctx, rng, `${name}.bn2`);
    this.shortcut[0]?.init(ctx, rng, `${name}.shortcut.conv`);
    this.shortcut[1]?.init(ctx, rng, `${name}.shortcut.bn`);
  }

  setTraining(training: boolean): void {
    for (const l of [...this.#main, ...this.shortcut]) l.setTraining?.(training);
  }

  outputShape(inShape: readonly number[]): number[] {
    if (inShape[0] !== this.o.inChannels) {
      throw new RangeError(`ResidualBlock(${this.o.inChannels}->${this.o.outChannels}): per-sample input must have ${this.o.inChannels} channels, got [${inShape.join(', ')}]`);
    }
    return this.conv2.outputShape(this.conv1.outputShape(inShape));
  }

  params(): Param[] {
    return [...this.#main, ...this.shortcut].flatMap((l) => l.params());
  }

  async forward(ctx: Context, x: Tensor, training: boolean): Promise<Tensor> {
    this.clear();
    let main: Tensor | null = null;
    let short: Tensor | null = null;
    let sum: Tensor | null = null;
    try {
      main = await chainForward(ctx, this.#main, x, training, this.#mainActs);
      short = this.shortcut.length ? await chainForward(ctx, this.shortcut, x, training, this.#shortActs) : x;
      sum = await ctx.add(main, short);
      const y = await this.#relu.forward(ctx, sum, training);
      if (training) {
        this.#sum = sum;
        sum = null;
      }
      return y;
    } catch (e) {
      this.clear();
      throw e;
    } finally {
      main?.dispose();
      if (short && short !== x) short.dispose();
      sum?.dispose();
    }
  }

  async backward(ctx: Context, dy: Tensor, needDx: boolean): Promise<Tensor | null> {
    if (!this.#sum) throw new Error('ResidualBlock.backward: no cached activations (call forward with training = true first)');
    let dsum: Tensor | null = null;
    let dMain: Tensor | null = null;
    let dShort: Tensor | null = null;
    try {
      dsum = (await this.#relu.backward(ctx, dy, true))!;
      this.#sum.dispose();
      this.#sum = null;
      // d(main + short) / d main = d / d short = 1 (same shapes): both branches get dsum
      dMain = await chainBackward(ctx, this.#main, dsum, needDx, this.#mainActs);
      dShort = this.shortcut.length ? await chainBackward(ctx, this.shortcut, dsum, needDx, this.#shortActs) : needDx ? dsum : null;
      if (!needDx) return null;
      return await ctx.add(dMain!, dShort!);
    } finally {
      if (dMain && dMain !== dsum) dMain.dispose();
      if (dShort && dShort !== dsum) dShort.dispose();
      dsum?.dispose();
      this.clear();
    }
  }

  clear(): void {
    for (const t of [...this.#mainActs, ...this.#shortActs]) t.dispose();
    this.#mainActs = [];
    this.#shortActs = [];
    this.#sum?.dispose();
    this.#sum = null;
    this.#relu.clear();
    for (const l of [...this.#main, ...this.shortcut]) l.clear();
  }

  dispose(): void {
    this.clear();
    for (const l of [...this.#main, ...this.shortcut]) l.dispose();
  }
}
