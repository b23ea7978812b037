import type { RefTensor, TensorLike } from './types.js';
import { need, shape2 } from './util.js';

/**
 * Row softmax of logits [n, classes] and the MEAN cross-entropy against integer labels [n]:
 *   probs[i, j] = exp(l[i,j] - max_i) / sum_j exp(l[i,j] - max_i)
 *   loss = (1/n) sum_i (logsumexp(l[i,:]) - l[i, label_i])      (shape [])
 */
export function refSoftmaxCrossEntropy(logits: TensorLike, labels: ArrayLike<number> | TensorLike): { loss: RefTensor; probs: RefTensor } {
  const [n, k] = shape2(logits, 'logits');
  const lab = 'data' in labels && 'shape' in labels ? labels.data : (labels as ArrayLike<number>);
  need(lab.length === n, `labels must have ${n} values`);
  const probs = new Float64Array(n * k);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let j = 0; j < k; j++) mx = Math.max(mx, logits.data[i * k + j]!);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(logits.data[i * k + j]! - mx);
    for (let j = 0; j < k; j++) probs[i * k + j] = Math.exp(logits.data[i * k + j]! - mx) / s;
    const y = lab[i]!;
    need(Number.isInteger(y) && y >= 0 && y < k, `label ${y} out of range [0, ${k})`);
    loss += mx + Math.log(s) - logits.data[i * k + y]!;
  }
  return { loss: { data: Float64Array.of(loss / n), shape: [] }, probs: { data: probs, shape: [n, k] } };
}

/** dlogits = (probs - onehot(labels)) / n. */
export function refSoftmaxCrossEntropyBackward(probs: TensorLike, labels: ArrayLike<number> | TensorLike): RefTensor {
  const [n, k] = shape2(probs, 'probs');
  const lab = 'data' in labels && 'shape' in labels ? labels.data : (labels as ArrayLike<number>);
  need(lab.length === n, `labels must have ${n} values`);
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) out[i * k + j] = (probs.data[i * k + j]! - (lab[i] === j ? 1 : 0)) / n;
  return { data: out, shape: [n, k] };
}
