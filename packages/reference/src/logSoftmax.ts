import { axisSplit } from './softmax.js';
import type { RefTensor, TensorLike } from './types.js';
import { need, sizeOf } from './util.js';

/**
 * Log-softmax along one axis (ONNX LogSoftmax-13; axis default -1):
 *   y = x - max - log(sum(exp(x - max))) along the axis.
 * NaN anywhere in a slice along the axis makes that whole slice NaN.
 */
export function refLogSoftmax(x: TensorLike, axis = -1): RefTensor {
  need(x.data.length === sizeOf(x.shape), `x has ${x.data.length} values for shape [${x.shape.join(', ')}]`);
  const { outer, len, inner } = axisSplit(x.shape, axis);
  const y = new Float64Array(x.data.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let mx = -Infinity;
      let nan = false;
      for (let j = 0; j < len; j++) {
        const v = x.data[base + j * inner]!;
        if (Number.isNaN(v)) nan = true;
        else if (v > mx) mx = v;
      }
      if (nan) mx = NaN;
      let s = 0;
      for (let j = 0; j < len; j++) s += Math.exp(x.data[base + j * inner]! - mx);
      const ls = Math.log(s);
      for (let j = 0; j < len; j++) y[base + j * inner] = x.data[base + j * inner]! - mx - ls;
    }
  return { data: y, shape: [...x.shape] };
}

/** Gradient of refLogSoftmax from its output y: dx = dy - exp(y) * sum(dy) along the axis. */
export function refLogSoftmaxBackward(y: TensorLike, dy: TensorLike, axis = -1): RefTensor {
  need(y.data.length === sizeOf(y.shape) && dy.data.length === sizeOf(dy.shape), 'y and dy must hold as many values as their shapes');
  need(y.shape.join() === dy.shape.join(), `dy [${dy.shape.join(', ')}] must have y's shape [${y.shape.join(', ')}]`);
  const { outer, len, inner } = axisSplit(y.shape, axis);
  const dx = new Float64Array(y.data.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let s = 0;
      for (let j = 0; j < len; j++) s += dy.data[base + j * inner]!;
      for (let j = 0; j < len; j++) {
        const k = base + j * inner;
        dx[k] = dy.data[k]! - Math.exp(y.data[k]!) * s;
      }
    }
  return { data: dx, shape: [...y.shape] };
}
