import { convGeometry } from './conv2d.js';
import { refPadIndex } from './geometry.js';
import type { ConvOptions, RefTensor, TensorLike } from './types.js';
import { need, shape4 } from './util.js';

/**
 * Gradients of refConv2d, derived term by term from the forward sum (not via im2col):
 * every forward term w[k,c,wy,wx] * x[n,c,iy,ix] contributes dy*x to dw, dy*w to dx at the pixel
 * it READ (so replicate/circular/reflect padding add into that in-image pixel), and db[k] = sum dy.
 */
export function refConv2dBackward(
  x: TensorLike,
  w: TensorLike,
  dy: TensorLike,
  o: ConvOptions = {},
): { dx: RefTensor; dw: RefTensor; db: RefTensor } {
  const g = convGeometry(x, w, o);
  const { N, C, K, Cg, Kg, inH, inW, kH, kW, sH, sW, dH, dW, top, left, outH, outW, padMode, flip } = g;
  const [dn, dk, dh, dwid] = shape4(dy, 'dy');
  need(dn === N && dk === K && dh === outH && dwid === outW, `dy must be [${N}, ${K}, ${outH}, ${outW}], got [${dy.shape.join(', ')}]`);
  const xd = x.data;
  const wd = w.data;
  const gd = dy.data;
  const dx = new Float64Array(N * C * inH * inW);
  const dwt = new Float64Array(K * Cg * kH * kW);
  const db = new Float64Array(K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const grp = Math.floor(k / Kg);
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          const gy = gd[((n * K + k) * outH + oy) * outW + ox]!;
          db[k] += gy;
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
                const wi = ((k * Cg + cg) * kH + wy) * kW + wx;
                const xi = ((n * C + c) * inH + iy) * inW + ix;
                dwt[wi] += gy * xd[xi]!;
                dx[xi] += gy * wd[wi]!;
              }
            }
          }
        }
      }
    }
  }
  return {
    dx: { data: dx, shape: [N, C, inH, inW] },
    dw: { data: dwt, shape: [K, Cg, kH, kW] },
    db: { data: db, shape: [K] },
  };
}
