import { refPair, refWindow } from './geometry.js';
import type { MaxPoolOptions, RefIndexTensor, RefTensor, TensorLike } from './types.js';
import { need, shape4, sizeOf } from './util.js';

/**
 * Max pooling (ONNX MaxPool with its Indices output). Default stride = kernel, default padding
 * 'same', default dilation 1: tap (ky, kx) of output (oy, ox) reads
 * (oy*sH - top + ky*dH, ox*sW - left + kx*dW), as in convolution ('same' centres the dilated
 * window: top = floor(dH*(kH-1)/2)). Positions outside the image are skipped (never padded). The window is scanned row-major (ky, then kx); an element replaces the
 * running max when it is strictly greater, so ties go to the FIRST maximum.
 *
 * NaN (PyTorch's rule, aten/src/ATen/native/cpu/MaxPoolKernel.cpp: `if ((val > maxval) || std::isnan(val))`):
 * a NaN always replaces the running max, and nothing replaces a NaN except another NaN. So a window
 * containing NaN outputs NaN and its index is the LAST NaN of the window in scan order.
 *
 * indices: int32 flat index into the whole input tensor (((n*C + c)*H + iy)*W + ix).
 * A window with no in-image position (only possible with padding larger than the kernel) gives
 * -Infinity and index -1.
 */
export function refMaxpool2d(x: TensorLike, o: MaxPoolOptions): { y: RefTensor; indices: RefIndexTensor } {
  const [N, C, H, W] = shape4(x, 'x');
  const kernel = refPair(o.kernel, 1);
  const g = refWindow(H, W, kernel, o.stride ?? kernel, o.dilation ?? 1, o.padding ?? 'same', !!o.ceilMode);
  const { kH, kW, sH, sW, dH, dW, top, left, outH, outW } = g;
  const y = new Float64Array(N * C * outH * outW);
  const idx = new Int32Array(N * C * outH * outW);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oy = 0; oy < outH; oy++)
        for (let ox = 0; ox < outW; ox++) {
          let best = -Infinity;
          let bi = -1;
          for (let ky = 0; ky < kH; ky++) {
            const iy = oy * sH - top + ky * dH;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = ox * sW - left + kx * dW;
              if (ix < 0 || ix >= W) continue;
              const i = ((n * C + c) * H + iy) * W + ix;
              const v = x.data[i]!;
              if (bi < 0 || v > best || Number.isNaN(v)) {
                best = v;
                bi = i;
              }
            }
          }
          const o2 = ((n * C + c) * outH + oy) * outW + ox;
          y[o2] = best;
          idx[o2] = bi;
        }
  return { y: { data: y, shape: [N, C, outH, outW] }, indices: { data: idx, shape: [N, C, outH, outW] } };
}

/** dx = zeros(inputShape); dx[indices[o]] += dy[o] for every output o (overlapping windows add up). */
export function refMaxpool2dBackward(dy: TensorLike, indices: TensorLike, inputShape: readonly number[]): RefTensor {
  need(dy.data.length === indices.data.length, `dy (${dy.data.length}) and indices (${indices.data.length}) differ in size`);
  const n = sizeOf(inputShape);
  const dx = new Float64Array(n);
  for (let o = 0; o < dy.data.length; o++) {
    const i = indices.data[o]!;
    if (i < 0) continue;
    need(Number.isInteger(i) && i < n, `index ${i} out of range for input of ${n} values`);
    dx[i] += dy.data[o]!;
  }
  return { data: dx, shape: [...inputShape] };
}
