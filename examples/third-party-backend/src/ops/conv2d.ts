import type { DataId, Conv2dParams } from '@convkit/core';
import type { NaiveRuntime } from '../runtime.js';
import { tap } from '../window.js';

/** Index of the weight used at window tap (ky, kx): flipped in both axes for true convolution. */
export function weightIndex(p: Conv2dParams, k: number, cg: number, ky: number, kx: number): number {
  const wy = p.flip ? p.kH - 1 - ky : ky;
  const wx = p.flip ? p.kW - 1 - kx : kx;
  return ((k * (p.C / p.groups) + cg) * p.kH + wy) * p.kW + wx;
}

/** Direct convolution: y[n,k,oy,ox] = bias[k] + sum over the group's channels and taps. */
export function conv2d(rt: NaiveRuntime, x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): DataId {
  const X = rt.f(x);
  const Wt = rt.f(w);
  const B = bias ? rt.f(bias) : null;
  const Cg = p.C / p.groups;
  const Kg = p.K / p.groups;
  const out = rt.f32(p.N * p.K * p.outH * p.outW);
  const y = out.values;
  for (let n = 0; n < p.N; n++)
    for (let k = 0; k < p.K; k++) {
      const g = Math.floor(k / Kg);
      for (let oy = 0; oy < p.outH; oy++)
        for (let ox = 0; ox < p.outW; ox++) {
          let acc = B ? B[k]! : 0;
          for (let cg = 0; cg < Cg; cg++) {
            const c = g * Cg + cg;
            for (let ky = 0; ky < p.kH; ky++)
              for (let kx = 0; kx < p.kW; kx++) {
                const t = tap(p, p.padMode, oy, ox, ky, kx);
                if (t) acc += Wt[weightIndex(p, k, cg, ky, kx)]! * X[((n * p.C + c) * p.inH + t[0]) * p.inW + t[1]]!;
              }
          }
          y[((n * p.K + k) * p.outH + oy) * p.outW + ox] = acc;
        }
    }
  return out;
}
