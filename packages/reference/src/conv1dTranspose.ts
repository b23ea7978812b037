import { refConv2dTranspose, refConv2dTransposeBackward } from './conv2dTranspose.js';
import { padding1dTo2d } from './geometry.js';
import type { ConvTranspose1dOptions, ConvTransposeOptions, RefTensor, TensorLike } from './types.js';
import { need } from './util.js';

function as2d(o: ConvTranspose1dOptions): ConvTransposeOptions {
  return {
    stride: [1, o.stride ?? 1],
    dilation: [1, o.dilation ?? 1],
    outputPadding: [0, o.outputPadding ?? 0],
    padding: padding1dTo2d(o.padding),
    groups: o.groups,
  };
}

const to4 = (t: TensorLike, name: string): TensorLike => {
  need(t.shape.length === 3, `${name} must be rank 3, got [${t.shape.join(', ')}]`);
  return { data: t.data, shape: [t.shape[0]!, t.shape[1]!, 1, t.shape[2]!] };
};
const to3 = (t: RefTensor): RefTensor => ({ data: t.data, shape: [t.shape[0]!, t.shape[1]!, t.shape[3]!] });

/**
 * 1-D transposed convolution (ONNX ConvTranspose on 3-D tensors): x [N, C, L], w [C, K/groups, kW]
 * -> [N, K, outL], refConv2dTranspose with H = 1: out = (L - 1)*s - left - right + d*(k - 1) +
 * outputPadding + 1, or L*s with 'same' (the default).
 */
export function refConv1dTranspose(x: TensorLike, w: TensorLike, bias: TensorLike | null, o: ConvTranspose1dOptions = {}): RefTensor {
  return to3(refConv2dTranspose(to4(x, 'x'), to4(w, 'w'), bias, as2d(o)));
}

/** Gradients of refConv1dTranspose. */
export function refConv1dTransposeBackward(
  x: TensorLike,
  w: TensorLike,
  dy: TensorLike,
  o: ConvTranspose1dOptions = {},
): { dx: RefTensor; dw: RefTensor; db: RefTensor } {
  const r = refConv2dTransposeBackward(to4(x, 'x'), to4(w, 'w'), to4(dy, 'dy'), as2d(o));
  return { dx: to3(r.dx), dw: to3(r.dw), db: r.db };
}
