import type { Context, Tensor } from '@convkit/core';
import type { Sequential } from './sequential.js';
import { SoftmaxCrossEntropy } from './layers/softmax_xent.js';
import type { Optimizer } from './optimizer.js';

/** A batch as plain arrays: images flattened per sample, labels as class ids. */
export interface Batch {
  /** n * prod(sampleShape) values */
  x: Float32Array;
  /** n class ids */
  y: Int32Array;
}

/**
 * One training step: forward, mean softmax cross-entropy, backward, optimizer update (in the
 * model's current mode: call model.train() first if it was put in eval mode). Every tensor it
 * creates is disposed before it returns. Returns the loss (read from the backend).
 */
export async function trainStep(
  model: Sequential,
  opt: Optimizer,
  batch: Batch,
  sampleShape: readonly number[],
  lossLayer: SoftmaxCrossEntropy = new SoftmaxCrossEntropy(),
): Promise<number> {
  const ctx: Context = model.ctx;
  const n = batch.y.length;
  const x = ctx.tensor(batch.x, [n, ...sampleShape]);
  const labels = ctx.tensor(batch.y, [n], 'int32');
  let logits: Tensor | null = null;
  let loss: Tensor | null = null;
  let dlogits: Tensor | null = null;
  try {
    logits = await model.forward(x, true);
    loss = (await lossLayer.forward(ctx, logits, labels)).loss;
    dlogits = await lossLayer.backward(ctx);
    await model.backward(dlogits);
    await opt.step();
    return (await loss.read())[0]!;
  } finally {
    lossLayer.clear();
    model.clear();
    for (const t of [x, labels, logits, loss, dlogits]) t?.dispose();
  }
}

/** Class id of the largest value in each row of logits [n, classes]. */
export function argmaxRows(values: ArrayLike<number>, n: number, classes: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bv = values[i * classes]!;
    for (let j = 1; j < classes; j++) {
      const v = values[i * classes + j]!;
      if (v > bv) {
        bv = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * Predicted classes of a batch (inference: nothing is cached). Runs in eval mode (batch norm on
 * its running statistics) and puts the model back in the mode it was in.
 */
export async function predict(model: Sequential, x: Float32Array, n: number, sampleShape: readonly number[]): Promise<Int32Array> {
  const t = model.ctx.tensor(x, [n, ...sampleShape]);
  const wasTraining = model.training;
  if (wasTraining) model.eval();
  try {
    const logits = await model.forward(t, false);
    try {
      const v = await logits.read();
      return argmaxRows(v, n, logits.shape[1]!);
    } finally {
      logits.dispose();
    }
  } finally {
    t.dispose();
    if (wasTraining) model.train();
  }
}

/** Fraction of correct predictions over a data set, evaluated in batches (in eval mode, as predict). */
export async function evaluate(
  model: Sequential,
  images: Float32Array,
  labels: Int32Array,
  sampleShape: readonly number[],
  batchSize = 256,
): Promise<number> {
  const per = sampleShape.reduce((a, b) => a * b, 1);
  let correct = 0;
  for (let s = 0; s < labels.length; s += batchSize) {
    const n = Math.min(batchSize, labels.length - s);
    const pred = await predict(model, images.subarray(s * per, (s + n) * per), n, sampleShape);
    for (let i = 0; i < n; i++) if (pred[i] === labels[s + i]) correct++;
  }
  return labels.length ? correct / labels.length : 0;
}
