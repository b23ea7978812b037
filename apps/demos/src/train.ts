import type { Context } from '@convkit/core';
import { SGD, SoftmaxCrossEntropy, evaluate, mulberry32, permutation, smallCnn, trainStep } from '@convkit/nn';
import { gather, SIDE, type MnistSplit } from './mnist.js';

export interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  seed?: number;
  /** stop after this many steps in total (for tests and parity); default: all epochs */
  maxSteps?: number;
  /** evaluate on the test set after every epoch (default true) */
  evalEachEpoch?: boolean;
  /** conv channels of smallCnn (default [16, 32]) */
  channels?: readonly [number, number];
  /** hidden dense width of smallCnn (default 64; 0 = none) */
  hidden?: number;
  /** learning-rate schedule over all steps: 'cosine' (lr * (1 + cos(pi t / T)) / 2, default) or 'constant' */
  schedule?: 'cosine' | 'constant';
}

export const DEFAULT_TRAIN: Required<Omit<TrainOptions, 'maxSteps'>> = {
  channels: [16, 32],
  hidden: 64,
  epochs: 6,
  batchSize: 32,
  lr: 0.05,
  momentum: 0.9,
  weightDecay: 5e-4,
  seed: 1,
  evalEachEpoch: true,
  schedule: 'cosine',
};

export interface TrainHooks {
  onStep?(step: number, totalSteps: number, loss: number): void;
  onEpoch?(epoch: number, testAccuracy: number): void;
}

export interface TrainResult {
  losses: number[];
  /** test accuracy after each evaluated epoch: [epoch (1-based), accuracy] */
  epochAccuracy: [number, number][];
  testAccuracy: number;
  steps: number;
  seconds: number;
}

/**
 * Trains smallCnn on the split with SGD (momentum, weight decay on weights only). The order of
 * training samples is a mulberry32(seed + epoch) permutation; the model is initialised from seed.
 */
export async function trainMnist(ctx: Context, data: MnistSplit, o: TrainOptions = {}, hooks: TrainHooks = {}): Promise<TrainResult> {
  const cfg = { ...DEFAULT_TRAIN, ...o };
  const t0 = performance.now();
  const model = smallCnn(ctx, { seed: cfg.seed, channels: cfg.channels, hidden: cfg.hidden });
  const opt = new SGD(ctx, model.params(), { lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  const loss = new SoftmaxCrossEntropy();
  const nTrain = data.train.labels.length;
  const perEpoch = Math.floor(nTrain / cfg.batchSize);
  // the schedule always spans all epochs, so a run cut short by maxSteps sees the same lrs
  const total = Math.min(cfg.maxSteps ?? Infinity, perEpoch * cfg.epochs);
  const scheduleSteps = perEpoch * cfg.epochs;
  const losses: number[] = [];
  const epochAccuracy: [number, number][] = [];
  const shape = [1, SIDE, SIDE];
  try {
    let step = 0;
    for (let e = 0; e < cfg.epochs && step < total; e++) {
      const order = permutation(nTrain, mulberry32(cfg.seed * 1000 + e));
      for (let b = 0; b < perEpoch && step < total; b++) {
        if (cfg.schedule === 'cosine') opt.lr = (cfg.lr * (1 + Math.cos((Math.PI * step) / scheduleSteps))) / 2;
        const batch = gather(data.train, order, b * cfg.batchSize, (b + 1) * cfg.batchSize);
        const l = await trainStep(model, opt, batch, shape, loss);
        losses.push(l);
        step++;
        hooks.onStep?.(step, total, l);
      }
      if (cfg.evalEachEpoch && step === (e + 1) * perEpoch) {
        const acc = await evaluate(model, data.test.images, data.test.labels, shape);
        epochAccuracy.push([e + 1, acc]);
        hooks.onEpoch?.(e + 1, acc);
      }
    }
    const last = epochAccuracy.at(-1);
    const testAccuracy =
      last && last[0] * perEpoch === step ? last[1] : await evaluate(model, data.test.images, data.test.labels, shape);
    return { losses, epochAccuracy, testAccuracy, steps: step, seconds: (performance.now() - t0) / 1000 };
  } finally {
    model.dispose();
  }
}
