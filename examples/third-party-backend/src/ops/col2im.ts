import type { DataId, Im2colParams } from '@convkit/core';
import type { NaiveRuntime } from '../runtime.js';
import { tap } from '../window.js';

/** The adjoint of im2col: each column entry is added into the pixel it was read from. */
export function col2im(rt: NaiveRuntime, cols: DataId, p: Im2colParams): DataId {
  const Y = rt.f(cols);
  const rows = p.C * p.kH * p.kW;
  const L = p.outH * p.outW;
  const acc = new Float64Array(p.N * p.C * p.inH * p.inW);
  for (let n = 0; n < p.N; n++)
    for (let c = 0; c < p.C; c++)
      for (let ky = 0; ky < p.kH; ky++)
        for (let kx = 0; kx < p.kW; kx++) {
          const row = (c * p.kH + ky) * p.kW + kx;
          for (let oy = 0; oy < p.outH; oy++)
            for (let ox = 0; ox < p.outW; ox++) {
              const t = tap(p, p.padMode, oy, ox, ky, kx);
              if (t) acc[((n * p.C + c) * p.inH + t[0]) * p.inW + t[1]] += Y[(n * rows + row) * L + oy * p.outW + ox]!;
            }
        }
  return rt.adopt(Float32Array.from(acc), 'float32');
}
