import type { DataId, Im2colParams } from '@convkit/core';
import type { NaiveRuntime } from '../runtime.js';
import { tap } from '../window.js';

/** Columns [N, C*kH*kW, outH*outW]; row (c*kH + ky)*kW + kx, column oy*outW + ox. */
export function im2col(rt: NaiveRuntime, x: DataId, p: Im2colParams): DataId {
  const X = rt.f(x);
  const rows = p.C * p.kH * p.kW;
  const L = p.outH * p.outW;
  const out = rt.f32(p.N * rows * L);
  const y = out.values;
  for (let n = 0; n < p.N; n++)
    for (let c = 0; c < p.C; c++)
      for (let ky = 0; ky < p.kH; ky++)
        for (let kx = 0; kx < p.kW; kx++) {
          const row = (c * p.kH + ky) * p.kW + kx;
          for (let oy = 0; oy < p.outH; oy++)
            for (let ox = 0; ox < p.outW; ox++) {
              const t = tap(p, p.padMode, oy, ox, ky, kx);
              y[(n * rows + row) * L + oy * p.outW + ox] = t ? X[((n * p.C + c) * p.inH + t[0]) * p.inW + t[1]]! : 0;
            }
        }
  return out;
}
