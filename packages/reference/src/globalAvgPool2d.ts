import type { RefTensor, TensorLike } from './types.js';
import { need, shape4 } from './util.js';

/**
 * Global average pooling (ONNX GlobalAveragePool on NCHW): y[n, c, 0, 0] = mean of x[n, c] over
 * all of H x W. NaN in a channel makes its output NaN.
 */
export function refGlobalAvgPool2d(x: TensorLike): RefTensor {
  const [N, C, H, W] = shape4(x, 'x');
  const P = H * W;
  const y = new Float64Array(N * C);
  for (let nc = 0; nc < N * C; nc++) {
    let s = 0;
    for (let p = 0; p < P; p++) s += x.data[nc * P + p]!;
    y[nc] = s / P;
  }
  return { data: y, shape: [N, C, 1, 1] };
}

/** Gradient of refGlobalAvgPool2d: dx[n, c, y, x] = dy[n, c] / (H*W). dy is [N, C, 1, 1] (or [N, C]). */
export function refGlobalAvgPool2dBackward(dy: TensorLike, inputShape: readonly number[]): RefTensor {
  need(inputShape.length === 4 && inputShape.every((d) => Number.isInteger(d) && d >= 1), `inputShape must be [N, C, H, W], got [${inputShape.join(', ')}]`);
  const [N, C, H, W] = [inputShape[0]!, inputShape[1]!, inputShape[2]!, inputShape[3]!];
  need(
    dy.data.length === N * C && (dy.shape.join() === [N, C, 1, 1].join() || dy.shape.join() === [N, C].join()),
    `dy must be [${N}, ${C}, 1, 1], got [${dy.shape.join(', ')}]`,
  );
  const P = H * W;
  const dx = new Float64Array(N * C * P);
  for (let nc = 0; nc < N * C; nc++) {
    const g = dy.data[nc]! / P;
    for (let p = 0; p < P; p++) dx[nc * P + p] = g;
  }
  return { data: dx, shape: [N, C, H, W] };
}
