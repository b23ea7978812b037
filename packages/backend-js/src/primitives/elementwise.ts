import type { SgdParams, SoftmaxXentParams } from '@convkit/core';

/** In place over [start, end): v = m*v + g + lambda*w; w = w - lr*v. */
export function sgd(p: SgdParams, w: Float32Array, g: Float32Array, v: Float32Array, start = 0, end = p.size): void {
  const { lr, momentum, weightDecay } = p;
  for (let i = start; i < end; i++) {
    const vi = Math.fround(momentum * v[i]! + g[i]! + weightDecay * w[i]!);
    v[i] = vi;
    w[i] = w[i]! - lr * vi;
  }
}

/** y = max(x, 0) over [start, end); NaN stays NaN. */
export function relu(x: Float32Array, y: Float32Array, start = 0, end = x.length): void {
  for (let i = start; i < end; i++) {
    const v = x[i]!;
    y[i] = v < 0 ? 0 : v;
  }
}

/** dx = x > 0 ? dy : 0 over [start, end). */
export function reluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array, start = 0, end = x.length): void {
  for (let i = start; i < end; i++) dx[i] = x[i]! > 0 ? dy[i]! : 0;
}

/**
 * Row softmax of logits [n, classes] for rows [rowStart,rowEnd) into probs, numerically stable
 * (max subtracted, float64 sums). Returns the SUM over those rows of -log softmax[label], in
 * log-sum-exp form; the caller divides the total by n. A label outside [0, classes) gives NaN.
 */
export function softmaxCrossEntropy(
  p: SoftmaxXentParams,
  logits: Float32Array,
  labels: Int32Array,
  probs: Float32Array,
  rowStart = 0,
  rowEnd = p.n,
): number {
  const K = p.classes;
  let loss = 0;
  for (let r = rowStart; r < rowEnd; r++) {
    const o = r * K;
    let mx = -Infinity;
    for (let j = 0; j < K; j++) {
      const v = logits[o + j]!;
      if (v > mx || v !== v) mx = v;
    }
    let s = 0;
    for (let j = 0; j < K; j++) s += Math.exp(logits[o + j]! - mx);
    const inv = 1 / s;
    for (let j = 0; j < K; j++) probs[o + j] = Math.exp(logits[o + j]! - mx) * inv;
    const lab = labels[r]!;
    loss += lab >= 0 && lab < K ? Math.log(s) - (logits[o + lab]! - mx) : NaN;
  }
  return loss;
}

/** dlogits = (probs - onehot(labels)) / n for rows [rowStart,rowEnd). */
export function softmaxCrossEntropyBackward(
  p: SoftmaxXentParams,
  probs: Float32Array,
  labels: Int32Array,
  dlogits: Float32Array,
  rowStart = 0,
  rowEnd = p.n,
): void {
  const K = p.classes;
  const inv = 1 / p.n;
  for (let r = rowStart; r < rowEnd; r++) {
    const o = r * K;
    const lab = labels[r]!;
    for (let j = 0; j < K; j++) dlogits[o + j] = (probs[o + j]! - (j === lab ? 1 : 0)) * inv;
  }
}
