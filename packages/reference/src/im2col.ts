import { refPadIndex, refWindow } from './geometry.js';
import type { Col2imOptions, Im2colOptions, RefTensor, TensorLike } from './types.js';
import { need, shape4, sizeOf } from './util.js';

/**
 * im2col: [N, C, H, W] -> [N, C*kH*kW, outH*outW]. Row (c*kH + ky)*kW + kx, column oy*outW + ox,
 * entry x[c][oy*sH + ky*dH - top][ox*sW + kx*dW - left], or the padding value (padMode).
 */
export function refIm2col(x: TensorLike, o: Im2colOptions): RefTensor {
  const [N, C, H, W] = shape4(x, 'x');
  const g = refWindow(H, W, o.kernel, o.stride, o.dilation, o.padding ?? 'same');
  const mode = o.padMode ?? 'zeros';
  const { kH, kW, outH, outW } = g;
  const rows = C * kH * kW;
  const cols = outH * outW;
  const out = new Float64Array(N * rows * cols);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let ky = 0; ky < kH; ky++)
        for (let kx = 0; kx < kW; kx++) {
          const r = (c * kH + ky) * kW + kx;
          for (let oy = 0; oy < outH; oy++) {
            const iy = refPadIndex(oy * g.sH + ky * g.dH - g.top, H, mode);
            for (let ox = 0; ox < outW; ox++) {
              const ix = refPadIndex(ox * g.sW + kx * g.dW - g.left, W, mode);
              const v = iy < 0 || ix < 0 ? 0 : x.data[((n * C + c) * H + iy) * W + ix]!;
              out[(n * rows + r) * cols + oy * outW + ox] = v;
            }
          }
        }
  return { data: out, shape: [N, rows, cols] };
}

/**
 * col2im, the adjoint of refIm2col: the same index map, summing into a zeroed image. Zero-padded
 * positions are dropped; replicate/circular/reflect positions add into the pixel they were read from.
 */
export function refCol2im(cols: TensorLike, o: Col2imOptions): RefTensor {
  const s = o.inputShape;
  need(s.length === 4, `inputShape must be [N, C, H, W]`);
  const [N, C, H, W] = [s[0]!, s[1]!, s[2]!, s[3]!];
  const g = refWindow(H, W, o.kernel, o.stride, o.dilation, o.padding ?? 'same');
  const mode = o.padMode ?? 'zeros';
  const { kH, kW, outH, outW } = g;
  const rows = C * kH * kW;
  const ncol = outH * outW;
  need(
    cols.shape.length === 3 && cols.shape[0] === N && cols.shape[1] === rows && cols.shape[2] === ncol && cols.data.length === sizeOf(cols.shape),
    `cols must be [${N}, ${rows}, ${ncol}], got [${cols.shape.join(', ')}]`,
  );
  const img = new Float64Array(N * C * H * W);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let ky = 0; ky < kH; ky++)
        for (let kx = 0; kx < kW; kx++) {
          const r = (c * kH + ky) * kW + kx;
          for (let oy = 0; oy < outH; oy++) {
            const iy = refPadIndex(oy * g.sH + ky * g.dH - g.top, H, mode);
            if (iy < 0) continue;
            for (let ox = 0; ox < outW; ox++) {
              const ix = refPadIndex(ox * g.sW + kx * g.dW - g.left, W, mode);
              if (ix < 0) continue;
              img[((n * C + c) * H + iy) * W + ix] += cols.data[(n * rows + r) * ncol + oy * outW + ox]!;
            }
          }
        }
  return { data: img, shape: [N, C, H, W] };
}
