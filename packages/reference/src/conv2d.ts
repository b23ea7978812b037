import { refPadIndex, refWindow, type RefWindow } from './geometry.js';
import type { ConvOptions, PadMode, RefTensor, TensorLike } from './types.js';
import { need, shape4 } from './util.js';

/** Normalized conv geometry shared by forward and backward. */
export interface ConvGeometry extends RefWindow {
  N: number;
  C: number;
  K: number;
  Cg: number;
  Kg: number;
  groups: number;
  padMode: PadMode;
  flip: boolean;
}

export function convGeometry(x: TensorLike, w: TensorLike, o: ConvOptions): ConvGeometry {
  const [N, C, H, W] = shape4(x, 'x');
  const [K, Cg, R, S] = shape4(w, 'w');
  const groups = o.groups ?? 1;
  need(Number.isInteger(groups) && groups >= 1 && C % groups === 0 && K % groups === 0, `groups=${groups} must divide C=${C} and K=${K}`);
  need(Cg === C / groups, `w must be [K, C/groups=${C / groups}, R, S], got [${w.shape.join(', ')}]`);
  const g = refWindow(H, W, [R, S], o.stride, o.dilation, o.padding ?? 'same');
  return { ...g, N, C, K, Cg, Kg: K / groups, groups, padMode: o.padMode ?? 'zeros', flip: !!o.flip };
}

/**
 * Direct float64 convolution (cross-correlation unless flip):
 *   y[n,k,oy,ox] = b[k] + sum_{c in group(k), ky, kx} w[k,c,ky',kx'] * pad(x)[n, c, oy*sH - top + ky*dH, ox*sW - left + kx*dW]
 * with (ky', kx') = (ky, kx), or (R-1-ky, S-1-kx) when flip. pad() follows padMode.
 */
export function refConv2d(x: TensorLike, w: TensorLike, bias: TensorLike | null, o: ConvOptions = {}): RefTensor {
  const g = convGeometry(x, w, o);
  const { N, C, K, Cg, Kg, inH, inW, kH, kW, sH, sW, dH, dW, top, left, outH, outW, padMode, flip } = g;
  if (bias) need(bias.data.length === K, `bias must have K=${K} values`);
  const xd = x.data;
  const wd = w.data;
  const y = new Float64Array(N * K * outH * outW);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const grp = Math.floor(k / Kg);
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          let s = bias ? bias.data[k]! : 0;
          for (let cg = 0; cg < Cg; cg++) {
            const c = grp * Cg + cg;
            for (let ky = 0; ky < kH; ky++) {
              const iy = refPadIndex(oy * sH - top + ky * dH, inH, padMode);
              if (iy < 0) continue;
              for (let kx = 0; kx < kW; kx++) {
                const ix = refPadIndex(ox * sW - left + kx * dW, inW, padMode);
                if (ix < 0) continue;
                const wy = flip ? kH - 1 - ky : ky;
                const wx = flip ? kW - 1 - kx : kx;
                s += wd[((k * Cg + cg) * kH + wy) * kW + wx]! * xd[((n * C + c) * inH + iy) * inW + ix]!;
              }
            }
          }
          y[((n * K + k) * outH + oy) * outW + ox] = s;
        }
      }
    }
  }
  return { data: y, shape: [N, K, outH, outW] };
}
