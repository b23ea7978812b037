import { refConv2d } from './conv2d.js';
import { refConv2dBackward } from './conv2dBackward.js';
import type { ConvOptions, Conv1dOptions, Padding, RefTensor, TensorLike } from './types.js';
import { need } from './util.js';

function as2d(o: Conv1dOptions): ConvOptions {
  const p = o.padding ?? 'same';
  let padding: Padding;
  if (p === 'same' || p === 'valid') padding = p;
  else if (typeof p === 'number') padding = [0, 0, p, p];
  else padding = [0, 0, p[0], p[1]];
  return { stride: [1, o.stride ?? 1], dilation: [1, o.dilation ?? 1], padding, groups: o.groups, padMode: o.padMode, flip: o.flip };
}

const to4 = (t: TensorLike, name: string): TensorLike => {
  need(t.shape.length === 3, `${name} must be rank 3, got [${t.shape.join(', ')}]`);
  return { data: t.data, shape: [t.shape[0]!, t.shape[1]!, 1, t.shape[2]!] };
};
const to3 = (t: RefTensor): RefTensor => ({ data: t.data, shape: [t.shape[0]!, t.shape[1]!, t.shape[3]!] });

/** 1-D convolution x [N, C, L], w [K, C/groups, kW] -> [N, K, outL]: the 2-D op with H = 1 (kH = 1). */
export function refConv1d(x: TensorLike, w: TensorLike, bias: TensorLike | null, o: Conv1dOptions = {}): RefTensor {
  return to3(refConv2d(to4(x, 'x'), to4(w, 'w'), bias, as2d(o)));
}

/** Gradients of refConv1d. */
export function refConv1dBackward(
  x: TensorLike,
  w: TensorLike,
  dy: TensorLike,
  o: Conv1dOptions = {},
): { dx: RefTensor; dw: RefTensor; db: RefTensor } {
  const r = refConv2dBackward(to4(x, 'x'), to4(w, 'w'), to4(dy, 'dy'), as2d(o));
  return { dx: to3(r.dx), dw: to3(r.dw), db: r.db };
}
