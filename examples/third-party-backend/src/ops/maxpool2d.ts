import type { DataId, MaxPool2dParams } from '@convkit/core';
import type { NaiveRuntime } from '../runtime.js';

/**
 * Max of each window and the flat index into the whole input of the value taken. Taps outside
 * the image are skipped; row-major scan with a strict '>' (ties: the first max); a NaN replaces
 * the running max and only a later NaN replaces it (PyTorch's rule), so a NaN window gives NaN.
 */
export function maxpool2d(rt: NaiveRuntime, x: DataId, p: MaxPool2dParams): { y: DataId; indices: DataId } {
  const X = rt.f(x);
  const size = p.N * p.C * p.outH * p.outW;
  const yd = rt.f32(size);
  const id = rt.i32(size);
  const y = yd.values;
  const ix = id.values;
  for (let nc = 0; nc < p.N * p.C; nc++)
    for (let oy = 0; oy < p.outH; oy++)
      for (let ox = 0; ox < p.outW; ox++) {
        let best = -Infinity;
        let bi = -1;
        for (let ky = 0; ky < p.kH; ky++) {
          const iy = oy * p.strideH + ky * p.dilationH - p.padTop;
          if (iy < 0 || iy >= p.inH) continue;
          for (let kx = 0; kx < p.kW; kx++) {
            const xx = ox * p.strideW + kx * p.dilationW - p.padLeft;
            if (xx < 0 || xx >= p.inW) continue;
            const i = (nc * p.inH + iy) * p.inW + xx;
            const v = X[i]!;
            if (bi < 0 || v > best || v !== v) {
              best = v;
              bi = i;
            }
          }
        }
        const o = (nc * p.outH + oy) * p.outW + ox;
        y[o] = best;
        ix[o] = bi;
      }
  return { y: yd, indices: id };
}
