import type { Context, PadMode, Padding, Tensor } from '@convkit/core';
import type { Layer } from '../layer.js';
import { Param } from '../param.js';
import { heUniform, type Rng } from '../init.js';

export interface Conv2dLayerOptions {
  inChannels: number;
  outChannels: number;
  /** square kernel size or [kH, kW] */
  kernel: number | readonly [number, number];
  /** default 1 */
  stride?: number | readonly [number, number];
  /** default 'same' (the course's centring, CONVENTIONS.md) */
  padding?: Padding;
  padMode?: PadMode;
  /** default 1 */
  groups?: number;
  /** default true */
  bias?: boolean;
}

/**
 * 2-D convolution (cross-correlation) layer: weight [K, C/groups, kH, kW] (He uniform, fan_in =
 * C/groups*kH*kW), bias [K] (zeros). Forward `ctx.conv2d`, backward `ctx.conv2dBackward`.
 */
export class Conv2d implements Layer {
  readonly kind = 'Conv2d';
  readonly o: Required<Omit<Conv2dLayerOptions, 'padMode'>> & { padMode?: PadMode };
  weight!: Param;
  bias: Param | null = null;
  #x: Tensor | null = null;

  constructor(o: Conv2dLayerOptions) {
    this.o = { stride: 1, padding: 'same', groups: 1, bias: true, ...o };
  }

  get kernel(): [number, number] {
    const k = this.o.kernel;
    return typeof k === 'number' ? [k, k] : [k[0], k[1]];
  }

  init(ctx: Context, rng: Rng, name: string): void {
    const { inChannels: C, outChannels: K, groups } = this.o;
    const [kh, kw] = this.kernel;
    const fanIn = (C / groups) * kh * kw;
    const shape = [K, C / groups, kh, kw];
    this.weight = new Param(`${name}.weight`, ctx.tensor(heUniform(K * fanIn, fanIn, rng), shape), true);
    if (this.o.bias) this.bias = new Param(`${name}.bias`, ctx.zeros([K]), false);
  }

  #convOpts() {
    return { stride: this.o.stride, padding: this.o.padding, padMode: this.o.padMode, groups: this.o.groups };
  }

  outputShape(inShape: readonly number[]): number[] {
    const [, H, W] = inShape as [number, number, number];
    const [kh, kw] = this.kernel;
    const st = this.o.stride;
    const [sh, sw] = typeof st === 'number' ? [st, st] : st;
    const p = this.o.padding;
    const axis = (n: number, k: number, s: number, before: number, after: number | null) =>
      after === null ? Math.floor((n - 1) / s) + 1 : Math.floor((n + before + after - k) / s) + 1;
    let pad: [number, number, number, number] | null;
    if (p === 'same') pad = null;
    else if (p === 'valid') pad = [0, 0, 0, 0];
    else if (typeof p === 'number') pad = [p, p, p, p];
    else pad = [p[0], p[1], p[2], p[3]];
    return [
      this.o.outChannels,
      axis(H, kh, sh, pad ? pad[0] : 0, pad ? pad[1] : null),
      axis(W, kw, sw, pad ? pad[2] : 0, pad ? pad[3] : null),
    ];
  }

  params(): Param[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  async forward(ctx: Context, x: Tensor, training: boolean): Promise<Tensor> {
    const y = await ctx.conv2d(x, this.weight.value, { ...this.#convOpts(), bias: this.bias?.value ?? null });
    if (training) this.#x = x;
    return y;
  }

  async backward(ctx: Context, dy: Tensor, needDx: boolean): Promise<Tensor | null> {
    const x = this.#x;
    if (!x) throw new Error('Conv2d.backward: no cached input (call forward with training = true first)');
    this.#x = null;
    const r = await ctx.conv2dBackward(x, this.weight.value, dy, {
      ...this.#convOpts(),
      wants: { dx: needDx, dw: true, db: !!this.bias },
    });
    this.weight.setGrad(r.dw!);
    if (this.bias) this.bias.setGrad(r.db!);
    else r.db?.dispose();
    if (!needDx) {
      r.dx?.dispose();
      return null;
    }
    return r.dx!;
  }

  clear(): void {
    this.#x = null;
  }

  dispose(): void {
    this.clear();
    for (const p of this.params()) p.dispose();
  }
}
