import type { Context } from '@convkit/core';
import { Sequential } from './sequential.js';
import { Conv2d } from './layers/conv2d.js';
import { ReLU } from './layers/relu.js';
import { MaxPool2d } from './layers/maxpool2d.js';
import { Flatten } from './layers/flatten.js';
import { Dense } from './layers/dense.js';
import { BatchNorm2d } from './layers/batchnorm2d.js';
import { ResidualBlock } from './layers/residual_block.js';
import { GlobalAvgPool } from './layers/global_avgpool.js';
import type { Layer } from './layer.js';

export interface SmallCnnOptions {
  seed?: number;
  /** channels of the two conv layers; default [16, 32] */
  channels?: readonly [number, number];
  /** input side (square, one channel); default 28 */
  side?: number;
  classes?: number;
  /** width of a hidden dense layer (with ReLU) before the classifier; 0 for none. Default 64. */
  hidden?: number;
}

/**
 * The MNIST model of the demos: conv3x3(1->c1) ReLU maxpool2 conv3x3(c1->c2) ReLU maxpool2
 * flatten [dense(->hidden) ReLU] dense(->classes). 'same' padding, so 28 -> 14 -> 7.
 */
export function smallCnn(ctx: Context, o: SmallCnnOptions = {}): Sequential {
  const [c1, c2] = o.channels ?? [16, 32];
  const side = o.side ?? 28;
  const hidden = o.hidden ?? 64;
  const after = Math.floor((Math.floor((side - 1) / 2) + 1 - 1) / 2) + 1;
  return new Sequential(
    ctx,
    [
      new Conv2d({ inChannels: 1, outChannels: c1, kernel: 3 }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d({ inChannels: c1, outChannels: c2, kernel: 3 }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      ...(hidden > 0
        ? [new Dense({ inFeatures: c2 * after * after, outFeatures: hidden }), new ReLU(), new Dense({ inFeatures: hidden, outFeatures: o.classes ?? 10 })]
        : [new Dense({ inFeatures: c2 * after * after, outFeatures: o.classes ?? 10 })]),
    ],
    { seed: o.seed ?? 1, inputShape: [1, side, side] },
  );
}

export interface SmallResNetOptions {
  seed?: number;
  /** channels of each residual stage (2 or 3 stages; the stem has the first stage's); default [8, 16, 32] */
  channels?: readonly number[];
  /** residual blocks per stage; default 1 */
  blocksPerStage?: number;
  /** input side (square, one channel); default 28 */
  side?: number;
  classes?: number;
}

/**
 * A small ResNet for MNIST-sized inputs: stem conv3x3(1->c0, no bias) BN ReLU, then one stage per
 * channel count c0, c1[, c2]: `blocksPerStage` ResidualBlocks each, the first block of every stage
 * after the first with stride 2 (and a 1x1 projection shortcut), then global average pooling,
 * flatten and dense(c_last -> classes). With the default [8, 16, 32] on 28x28, the stages run at
 * 28x28, 14x14 and 7x7.
 */
export function smallResNet(ctx: Context, o: SmallResNetOptions = {}): Sequential {
  const ch = [...(o.channels ?? [8, 16, 32])];
  if (ch.length < 2 || ch.length > 3 || ch.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new RangeError(`smallResNet: channels must be 2 or 3 integers >= 1 (one per residual stage), got [${ch.join(', ')}]`);
  }
  const blocks = o.blocksPerStage ?? 1;
  if (!Number.isInteger(blocks) || blocks < 1) throw new RangeError(`smallResNet: blocksPerStage must be an integer >= 1, got ${blocks}`);
  const side = o.side ?? 28;
  const layers: Layer[] = [new Conv2d({ inChannels: 1, outChannels: ch[0]!, kernel: 3, bias: false }), new BatchNorm2d(ch[0]!), new ReLU()];
  let c = ch[0]!;
  ch.forEach((co, s) => {
    for (let b = 0; b < blocks; b++) {
      layers.push(new ResidualBlock({ inChannels: c, outChannels: co, stride: s > 0 && b === 0 ? 2 : 1 }));
      c = co;
    }
  });
  layers.push(new GlobalAvgPool(), new Flatten(), new Dense({ inFeatures: c, outFeatures: o.classes ?? 10 }));
  return new Sequential(ctx, layers, { seed: o.seed ?? 1, inputShape: [1, side, side] });
}
