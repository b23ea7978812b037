import type { RefTensor, TensorLike } from './types.js';
import { need, sizeOf } from './util.js';

/** Splits a shape at `axis` (negative counts from the end) into outer x len x inner. */
export function axisSplit(shape: readonly number[], axis: number, name = 'x'): { outer: number; len: number; inner: number; axis: number } {
  const r = shape.length;
  need(r >= 1, `${name} must have rank >= 1 for an axis reduction`);
  need(Number.isInteger(axis) && axis >= -r && axis < r, `axis ${axis} out of range for rank ${r}`);
  const a = axis < 0 ? axis + r : axis;
  let outer = 1;
  for (let i = 0; i < a; i++) outer *= shape[i]!;
  let inner = 1;
  for (let i = a + 1; i < r; i++) inner *= shape[i]!;
  return { outer, len: shape[a]!, inner, axis: a };
}

function check(t: TensorLike, name: string): void {
  need(t.data.length === sizeOf(t.shape), `${name} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
}

/**
 * Softmax along one axis (ONNX Softmax-13; axis default -1, negative counts from the end):
 *   y = exp(x - max) / sum(exp(x - max)) along the axis.
 * NaN anywhere in a slice along the axis makes that whole slice NaN (so does +Infinity, or a
 * slice that is all -Infinity, as in PyTorch).
 */
export function refSoftmax(x: TensorLike, axis = -1): RefTensor {
  check(x, 'x');
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
      for (let j = 0; j < len; j++) y[base + j * inner] = Math.exp(x.data[base + j * inner]! - mx) / s;
    }
  return { data: y, shape: [...x.shape] };
}

/** Gradient of refSoftmax from its output y: dx = y * (dy - sum(dy * y)) along the axis. */
export function refSoftmaxBackward(y: TensorLike, dy: TensorLike, axis = -1): RefTensor {
  check(y, 'y');
  check(dy, 'dy');
  need(y.shape.join() === dy.shape.join(), `dy [${dy.shape.join(', ')}] must have y's shape [${y.shape.join(', ')}]`);
  const { outer, len, inner } = axisSplit(y.shape, axis);
  const dx = new Float64Array(y.data.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let s = 0;
      for (let j = 0; j < len; j++) s += dy.data[base + j * inner]! * y.data[base + j * inner]!;
      for (let j = 0; j < len; j++) {
        const k = base + j * inner;
        dx[k] = y.data[k]! * (dy.data[k]! - s);
      }
    }
  return { data: dx, shape: [...y.shape] };
}
