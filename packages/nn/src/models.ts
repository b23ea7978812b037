import type { Context } from '@convkit/core';
import { Sequential } from './sequential.js';
import { Conv2d } from './layers/conv2d.js';
import { ReLU } from './layers/relu.js';
import { MaxPool2d } from './layers/maxpool2d.js';
import { Flatten } from './layers/flatten.js';
import { Dense } from './layers/dense.js';

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
