import type { RefIndexTensor, RefTensor, TensorLike } from './types.js';
import { need, shape4, sizeOf } from './util.js';

/**
 * Global max pooling (ONNX GlobalMaxPool on NCHW): y[n, c, 0, 0] = max of x[n, c] over all of
 * H x W, with the max-pool rules of CONVENTIONS.md: row-major scan, strict >, ties go to the first
 * maximum; a NaN replaces the running max and only another NaN replaces it (output NaN, index of
 * the last NaN). indices: int32 flat index into the whole input, ((n*C + c)*H + y)*W + x.
 */
export function refGlobalMaxPool2d(x: TensorLike): { y: RefTensor; indices: RefIndexTensor } {
  const [N, C, H, W] = shape4(x, 'x');
  const P = H * W;
  const y = new Float64Array(N * C);
  const idx = new Int32Array(N * C);
  for (let nc = 0; nc < N * C; nc++) {
    let best = x.data[nc * P]!;
    let bi = nc * P;
    for (let p = 1; p < P; p++) {
      const v = x.data[nc * P + p]!;
      if (v > best || Number.isNaN(v)) {
        best = v;
        bi = nc * P + p;
      }
    }
    y[nc] = best;
    idx[nc] = bi;
  }
  return { y: { data: y, shape: [N, C, 1, 1] }, indices: { data: idx, shape: [N, C, 1, 1] } };
}

/** dx = zeros(inputShape); dx[indices[n, c]] += dy[n, c]. */
export function refGlobalMaxPool2dBackward(dy: TensorLike, indices: TensorLike, inputShape: readonly number[]): RefTensor {
  need(inputShape.length === 4, `inputShape must be [N, C, H, W], got [${inputShape.join(', ')}]`);
  const NC = inputShape[0]! * inputShape[1]!;
  need(dy.data.length === NC && indices.data.length === NC, `dy and indices must have N*C = ${NC} values`);
  const n = sizeOf(inputShape);
  const dx = new Float64Array(n);
  for (let o = 0; o < NC; o++) {
    const i = indices.data[o]!;
    need(Number.isInteger(i) && i >= 0 && i < n, `index ${i} out of range for input of ${n} values`);
    dx[i] += dy.data[o]!;
  }
  return { data: dx, shape: [...inputShape] };
}
