import { padding1dTo2d } from './geometry.js';
import { refMaxpool2d, refMaxpool2dBackward } from './maxpool.js';
import type { MaxPool1dOptions, RefIndexTensor, RefTensor, TensorLike } from './types.js';
import { need, sizeOf } from './util.js';

/**
 * 1-D max pooling x [N, C, L] -> {y, indices} [N, C, outL] (ONNX MaxPool on a 3-D input):
 * refMaxpool2d with H = 1, so the same rules: default stride = kernel, padding 'same',
 * dilation 1; out-of-image taps skipped; strict > scan (ties to the first maximum); NaN wins (the
 * last NaN's index). indices are flat into the whole input: (n*C + c)*L + ix.
 */
export function refMaxpool1d(x: TensorLike, o: MaxPool1dOptions): { y: RefTensor; indices: RefIndexTensor } {
  need(o !== null && typeof o === 'object' && typeof o.kernel === 'number', 'maxpool1d options need a numeric kernel');
  need(x.shape.length === 3, `x must be rank 3 [N, C, L], got [${x.shape.join(', ')}]`);
  need(x.data.length === sizeOf(x.shape), `x has ${x.data.length} values for shape [${x.shape.join(', ')}]`);
  const [N, C, L] = [x.shape[0]!, x.shape[1]!, x.shape[2]!];
  const r = refMaxpool2d(
    { data: x.data, shape: [N, C, 1, L] },
    { kernel: [1, o.kernel], stride: [1, o.stride ?? o.kernel], dilation: [1, o.dilation ?? 1], padding: padding1dTo2d(o.padding), ceilMode: o.ceilMode },
  );
  const outL = r.y.shape[3]!;
  return { y: { data: r.y.data, shape: [N, C, outL] }, indices: { data: r.indices.data, shape: [N, C, outL] } };
}

/** dx = zeros(inputShape [N, C, L]); dx[indices[o]] += dy[o]. */
export function refMaxpool1dBackward(dy: TensorLike, indices: TensorLike, inputShape: readonly number[]): RefTensor {
  need(inputShape.length === 3, `inputShape must be [N, C, L], got [${inputShape.join(', ')}]`);
  return refMaxpool2dBackward(dy, indices, inputShape);
}
