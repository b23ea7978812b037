import type { RefTensor, TensorLike } from './types.js';
import { need } from './util.js';

/** max(0, x); NaN stays NaN (as PyTorch). */
export function refRelu(x: TensorLike): RefTensor {
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = x.data[i]!;
    out[i] = Number.isNaN(v) ? v : v > 0 ? v : 0;
  }
  return { data: out, shape: [...x.shape] };
}

/** dx = dy where x > 0, else 0. */
export function refReluBackward(x: TensorLike, dy: TensorLike): RefTensor {
  need(x.data.length === dy.data.length, 'x and dy must have the same size');
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = x.data[i]! > 0 ? dy.data[i]! : 0;
  return { data: out, shape: [...x.shape] };
}
