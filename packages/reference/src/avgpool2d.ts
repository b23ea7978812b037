import { refPair, refWindow, type RefWindow } from './geometry.js';
import type { AvgPoolOptions, RefTensor, TensorLike } from './types.js';
import { need, shape4, sizeOf } from './util.js';

/** Geometry of an average pool plus, per axis, the padded extent the divisor may count. */
interface AvgGeometry extends RefWindow {
  /** the padded input spans [-top, inH + bottom) x [-left, inW + right) */
  bottom: number;
  right: number;
  countIncludePad: boolean;
}

function avgGeometry(H: number, W: number, o: AvgPoolOptions): AvgGeometry {
  need(o !== null && typeof o === 'object' && o.kernel !== undefined, 'avgpool options need a kernel');
  const kernel = refPair(o.kernel, 1);
  const g = refWindow(H, W, kernel, o.stride ?? kernel, o.dilation ?? 1, o.padding ?? 'same', !!o.ceilMode);
  // refWindow's 'same' after-padding is what the last window needs, so no window overhangs it
  const p = o.padding ?? 'same';
  let bottom: number;
  let right: number;
  if (p === 'same') {
    bottom = Math.max(0, (g.outH - 1) * g.sH - g.top + g.dH * (g.kH - 1) - (H - 1));
    right = Math.max(0, (g.outW - 1) * g.sW - g.left + g.dW * (g.kW - 1) - (W - 1));
  } else if (p === 'valid') {
    bottom = 0;
    right = 0;
  } else if (typeof p === 'number') {
    bottom = p;
    right = p;
  } else {
    bottom = p[1];
    right = p[3];
  }
  return { ...g, bottom, right, countIncludePad: !!o.countIncludePad };
}

/**
 * Taps of output o along one axis: how many read the input (0 <= t < n) and how many lie in the
 * padded extent (t < n + after; t >= -before always holds for a window that starts in it).
 */
function axisCounts(o: number, s: number, d: number, k: number, before: number, after: number, n: number): { inside: number; padded: number } {
  let inside = 0;
  let padded = 0;
  for (let j = 0; j < k; j++) {
    const t = o * s - before + j * d;
    if (t >= 0 && t < n) inside++;
    if (t >= -before && t < n + after) padded++;
  }
  return { inside, padded };
}

/** Divisor of every output position, [outH * outW] (the same for every n, c). */
function divisors(g: AvgGeometry): Float64Array {
  const { inH, inW, kH, kW, sH, sW, dH, dW, top, left, bottom, right, outH, outW } = g;
  const div = new Float64Array(outH * outW);
  for (let oy = 0; oy < outH; oy++) {
    const cy = axisCounts(oy, sH, dH, kH, top, bottom, inH);
    for (let ox = 0; ox < outW; ox++) {
      const cx = axisCounts(ox, sW, dW, kW, left, right, inW);
      div[oy * outW + ox] = g.countIncludePad ? cy.padded * cx.padded : cy.inside * cx.inside;
    }
  }
  return div;
}

/**
 * Average pooling (ONNX AveragePool, opset 19 semantics, with dilations):
 *   y[n,c,oy,ox] = (sum of x over the window's taps inside the image) / divisor
 * Tap (ky, kx) of output (oy, ox) reads (oy*sH - top + ky*dH, ox*sW - left + kx*dW). Defaults:
 * stride = kernel, padding 'same', dilation 1, ceilMode false, countIncludePad false.
 *
 * Divisor (CONVENTIONS.md "Average pooling"):
 * - countIncludePad false: the number of taps inside the image.
 * - countIncludePad true: the number of taps inside the PADDED input
 *   [-top, H + bottom) x [-left, W + right) (explicit pads, or the 'same' padding, which always
 *   covers every window); taps of the ceil-mode overhang beyond that extent are not counted.
 * Ceil mode: out = ceil((in + before + after - d*(k-1) - 1)/s) + 1, minus one when the last window
 * would start in the after-padding (ONNX's "sliding windows that would start in the right padded
 * region are ignored", PyTorch's pooling_output_shape). ceilMode has no effect with 'same'
 * (its output size is fixed), as in refMaxpool2d.
 *
 * Which rule this follows, and where the references differ:
 * - PyTorch avg_pool2d (aten AvgPoolKernel.cpp): pool_size = (min(ih0 + kH, H + padH) - ih0) *
 *   (min(iw0 + kW, W + padW) - iw0) with ih0 = oh*sH - padH, i.e. the window clipped to the padded
 *   input: the same divisor as here. PyTorch only has symmetric pads (<= kernel/2), no dilation,
 *   a divisor_override, and defaults count_include_pad to TRUE (here false, ONNX's default).
 * - onnxruntime: AveragePool-19 (pool_functors.h) clamps the window end to in + pad_end and counts
 *   1 + (end - start - 1)/dilation: the same rule. Its opset 7-18 float path (MLAS) divided by the
 *   full kernel under ceil_mode + count_include_pad until ORT PR #29629.
 * - onnx's Python reference (onnx/reference/ops/op_pool_common.py) counts taps with
 *   pixel < in + pads_begin + pads_end, the same rule, but it pads the input for the ceil overhang
 *   by splitting the extra padding over BOTH ends (extra_pad // 2 at the beginning), which shifts
 *   every window when the overhang is >= 2 (e.g. in 4, kernel 3, stride 3, ceil: it gives
 *   [avg(x0,x1), x3] instead of [avg(x0,x1,x2), x3]). This reference does not copy that.
 * A window with no tap inside the image (countIncludePad false, padding >= the window) is 0/0 = NaN,
 * as onnx's reference (np.average of nothing). NaN in a window makes the output NaN.
 */
export function refAvgpool2d(x: TensorLike, o: AvgPoolOptions): RefTensor {
  const [N, C, H, W] = shape4(x, 'x');
  const g = avgGeometry(H, W, o);
  const { kH, kW, sH, sW, dH, dW, top, left, outH, outW } = g;
  const div = divisors(g);
  const y = new Float64Array(N * C * outH * outW);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oy = 0; oy < outH; oy++)
        for (let ox = 0; ox < outW; ox++) {
          let s = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = oy * sH - top + ky * dH;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = ox * sW - left + kx * dW;
              if (ix < 0 || ix >= W) continue;
              s += x.data[((n * C + c) * H + iy) * W + ix]!;
            }
          }
          y[((n * C + c) * outH + oy) * outW + ox] = s / div[oy * outW + ox]!;
        }
  return { data: y, shape: [N, C, outH, outW] };
}

/**
 * Gradient of refAvgpool2d: dx starts at zero and every output adds dy / divisor to each of its
 * window's in-image taps (+=, so overlapping windows add up). A window with no in-image tap
 * contributes nothing.
 */
export function refAvgpool2dBackward(dy: TensorLike, inputShape: readonly number[], o: AvgPoolOptions): RefTensor {
  need(inputShape.length === 4 && inputShape.every((d) => Number.isInteger(d) && d >= 1), `inputShape must be [N, C, H, W], got [${inputShape.join(', ')}]`);
  const [N, C, H, W] = [inputShape[0]!, inputShape[1]!, inputShape[2]!, inputShape[3]!];
  const g = avgGeometry(H, W, o);
  const { kH, kW, sH, sW, dH, dW, top, left, outH, outW } = g;
  const [dn, dc, dh, dw] = shape4(dy, 'dy');
  need(dn === N && dc === C && dh === outH && dw === outW, `dy must be [${N}, ${C}, ${outH}, ${outW}], got [${dy.shape.join(', ')}]`);
  const div = divisors(g);
  const dx = new Float64Array(sizeOf(inputShape));
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oy = 0; oy < outH; oy++)
        for (let ox = 0; ox < outW; ox++) {
          const q = div[oy * outW + ox]!;
          if (q === 0) continue;
          const gy = dy.data[((n * C + c) * outH + oy) * outW + ox]! / q;
          for (let ky = 0; ky < kH; ky++) {
            const iy = oy * sH - top + ky * dH;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = ox * sW - left + kx * dW;
              if (ix < 0 || ix >= W) continue;
              dx[((n * C + c) * H + iy) * W + ix] += gy;
            }
          }
        }
  return { data: dx, shape: [N, C, H, W] };
}
