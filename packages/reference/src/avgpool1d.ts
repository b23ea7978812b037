import { refAvgpool2d, refAvgpool2dBackward } from './avgpool2d.js';
import { padding1dTo2d } from './geometry.js';
import type { AvgPool1dOptions, AvgPoolOptions, RefTensor, TensorLike } from './types.js';
import { need, sizeOf } from './util.js';

function as2d(o: AvgPool1dOptions): AvgPoolOptions {
  need(o !== null && typeof o === 'object' && typeof o.kernel === 'number', 'avgpool1d options need a numeric kernel');
  return {
    kernel: [1, o.kernel],
    stride: [1, o.stride ?? o.kernel],
    dilation: [1, o.dilation ?? 1],
    padding: padding1dTo2d(o.padding),
    ceilMode: o.ceilMode,
    countIncludePad: o.countIncludePad,
  };
}

function shape3(t: TensorLike | readonly number[], name: string): [number, number, number] {
  const s = Array.isArray(t) ? (t as readonly number[]) : (t as TensorLike).shape;
  need(s.length === 3, `${name} must be rank 3 [N, C, L], got [${s.join(', ')}]`);
  if (!Array.isArray(t)) need((t as TensorLike).data.length === sizeOf(s), `${name} has ${(t as TensorLike).data.length} values for shape [${s.join(', ')}]`);
  return [s[0]!, s[1]!, s[2]!];
}

/** 1-D average pooling x [N, C, L] -> [N, C, outL]: refAvgpool2d with H = 1 (same divisor rules). */
export function refAvgpool1d(x: TensorLike, o: AvgPool1dOptions): RefTensor {
  const [N, C, L] = shape3(x, 'x');
  const y = refAvgpool2d({ data: x.data, shape: [N, C, 1, L] }, as2d(o));
  return { data: y.data, shape: [N, C, y.shape[3]!] };
}

/** Gradient of refAvgpool1d: dy [N, C, outL] -> dx [N, C, L]. */
export function refAvgpool1dBackward(dy: TensorLike, inputShape: readonly number[], o: AvgPool1dOptions): RefTensor {
  const [N, C, L] = shape3(inputShape, 'inputShape');
  const [dn, dc, dl] = shape3(dy, 'dy');
  const dx = refAvgpool2dBackward({ data: dy.data, shape: [dn, dc, 1, dl] }, [N, C, 1, L], as2d(o));
  return { data: dx.data, shape: [N, C, L] };
}
