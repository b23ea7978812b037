import type { Context, OpName } from '@convkit/core';
import { Adam, CosineAnnealingLR, SGD, SoftmaxCrossEntropy, evaluate, mulberry32, permutation, smallCnn, smallResNet, trainStep, type Optimizer, type Sequential } from '@convkit/nn';
import { gather, SIDE, type MnistSplit } from './mnist.js';

/** The demos' models: the small CNN (SGD) and the small ResNet (Adam). */
export const MODEL_NAMES = ['cnn', 'resnet'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/**
 * The kernels each model's training step runs (forward, backward and the loss; dense runs gemm).
 * trainMnist refuses a backend that lacks any of them before training, naming them all.
 */
export const MODEL_KERNELS: Readonly<Record<ModelName, readonly OpName[]>> = {
  cnn: ['conv2d', 'conv2dBackward', 'relu', 'reluBackward', 'maxpool2d', 'maxpool2dBackward', 'gemm', 'sgd', 'softmaxCrossEntropy', 'softmaxCrossEntropyBackward'],
  resnet: [
    'conv2d',
    'conv2dBackward',
    'batchNorm2d',
    'batchNorm2dBackward',
    'relu',
    'reluBackward',
    'add',
    'globalAvgPool2d',
    'globalAvgPool2dBackward',
    'gemm',
    'softmaxCrossEntropy',
    'softmaxCrossEntropyBackward',
  ],
};

/** The kernels of `model` that ctx's backend lacks (empty when it can train the model). */
export function missingKernels(ctx: Context, model: ModelName): OpName[] {
  return MODEL_KERNELS[model].filter((op) => !ctx.supports(op));
}

export interface TrainOptions {
  /**
   * 'cnn' (default): smallCnn with SGD (momentum, weight decay on weights). 'resnet': smallResNet
   * (conv-bn-relu stem, residual stages, global average pooling, dense) with Adam (PyTorch's
   * formula; weightDecay as its L2 term on weights; momentum is not used).
   */
  model?: ModelName;
  /** residual-stage channels of smallResNet (the demos' default [16, 32, 64]) */
  resnetChannels?: readonly number[];
  /**
   * Training-time augmentation: every training image is shifted by a seeded random offset of up
   * to `augment` pixels along each axis (zero fill). Default 0 (none) for the cnn, 2 for the resnet.
   */
  augment?: number;
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

export const DEFAULT_TRAIN: Required<Omit<TrainOptions, 'maxSteps' | 'resnetChannels'>> = {
  model: 'cnn',
  augment: 0,
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

/**
 * The resnet's defaults where they differ from DEFAULT_TRAIN (stages 16-32-64, Adam's lr and L2 term,
 * its epochs, shifts); measured 98.70 % held-out accuracy on wasm (apps/demos/README.md);
 * the other fields (batch, seed, schedule) are shared.
 */
export const DEFAULT_RESNET = {
  resnetChannels: [16, 32, 64] as readonly number[],
  augment: 2,
  epochs: 10,
  lr: 2e-3,
  weightDecay: 5e-4,
};

/**
 * Shifts each image of a batch (n x side x side, in place) by (dy, dx) drawn uniformly from
 * [-max, max] with rng; pixels shifted in from outside are 0.
 */
export function shiftBatch(x: Float32Array, n: number, side: number, max: number, rng: () => number): void {
  if (!(Number.isInteger(max) && max >= 0 && max < side)) throw new RangeError(`augment must be an integer in [0, ${side}), got ${max}`);
  if (max === 0) return;
  const per = side * side;
  const img = new Float32Array(per);
  for (let i = 0; i < n; i++) {
    const dy = Math.floor(rng() * (2 * max + 1)) - max;
    const dx = Math.floor(rng() * (2 * max + 1)) - max;
    const src = x.subarray(i * per, (i + 1) * per);
    img.set(src);
    src.fill(0);
    for (let r = Math.max(0, dy); r < Math.min(side, side + dy); r++) {
      for (let c = Math.max(0, dx); c < Math.min(side, side + dx); c++) src[r * side + c] = img[(r - dy) * side + (c - dx)]!;
    }
  }
}

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
 * Trains the model on the split: smallCnn with SGD (momentum, weight decay on weights only), or
 * smallResNet with Adam and nn's CosineAnnealingLR. The order of training samples is a
 * mulberry32(seed * 1000 + epoch) permutation; the model is initialised from seed.
 */
export async function trainMnist(ctx: Context, data: MnistSplit, o: TrainOptions = {}, hooks: TrainHooks = {}): Promise<TrainResult> {
  const cfg = { ...DEFAULT_TRAIN, ...(o.model === 'resnet' ? DEFAULT_RESNET : {}), ...o };
  const t0 = performance.now();
  const nTrain = data.train.labels.length;
  const perEpoch = Math.floor(nTrain / cfg.batchSize);
  // the schedule always spans all epochs, so a run cut short by maxSteps sees the same lrs
  const total = Math.min(cfg.maxSteps ?? Infinity, perEpoch * cfg.epochs);
  const scheduleSteps = perEpoch * cfg.epochs;
  if (!(MODEL_NAMES as readonly string[]).includes(cfg.model)) {
    throw new RangeError(`trainMnist: unknown model '${String(cfg.model)}' (one of ${MODEL_NAMES.join(', ')})`);
  }
  if (!(Number.isInteger(cfg.augment) && cfg.augment >= 0 && cfg.augment < SIDE)) throw new RangeError(`trainMnist: augment must be an integer in [0, ${SIDE}), got ${cfg.augment}`);
  const missing = missingKernels(ctx, cfg.model);
  if (missing.length) throw new Error(`model ${cfg.model} on backend ${ctx.backendName}: not implemented: ${missing.join(', ')}`);
  let model: Sequential;
  let opt: Optimizer;
  let sched: CosineAnnealingLR | null = null;
  if (cfg.model === 'resnet') {
    model = smallResNet(ctx, { seed: cfg.seed, channels: cfg.resnetChannels ?? DEFAULT_RESNET.resnetChannels });
    opt = new Adam(ctx, model.params(), { lr: cfg.lr, weightDecay: cfg.weightDecay });
    if (cfg.schedule === 'cosine') sched = new CosineAnnealingLR(opt, { tMax: scheduleSteps });
  } else {
    model = smallCnn(ctx, { seed: cfg.seed, channels: cfg.channels, hidden: cfg.hidden });
    opt = new SGD(ctx, model.params(), { lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  }
  const loss = new SoftmaxCrossEntropy();
  const losses: number[] = [];
  const epochAccuracy: [number, number][] = [];
  const shape = [1, SIDE, SIDE];
  try {
    let step = 0;
    for (let e = 0; e < cfg.epochs && step < total; e++) {
      const order = permutation(nTrain, mulberry32(cfg.seed * 1000 + e));
      const augRng = cfg.augment > 0 ? mulberry32(cfg.seed * 1000 + e + 500) : null;
      for (let b = 0; b < perEpoch && step < total; b++) {
        if (cfg.schedule === 'cosine' && !sched) opt.lr = (cfg.lr * (1 + Math.cos((Math.PI * step) / scheduleSteps))) / 2;
        const batch = gather(data.train, order, b * cfg.batchSize, (b + 1) * cfg.batchSize);
        if (augRng) shiftBatch(batch.x, cfg.batchSize, SIDE, cfg.augment, augRng);
        const l = await trainStep(model, opt, batch, shape, loss);
        sched?.step();
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
