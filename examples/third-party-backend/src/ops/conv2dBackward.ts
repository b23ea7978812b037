import type { Conv2dBackwardResult, Conv2dBackwardWants, Conv2dParams, DataId } from '@convkit/core';
import type { NaiveRuntime } from '../runtime.js';
import { tap } from '../window.js';
import { weightIndex } from './conv2d.js';

/**
 * Gradients of conv2d by the chain rule over the same loops as the forward pass: every product
 * w * x that made y[n,k,oy,ox] sends dy back to both factors. A padded tap that read an in-image
 * pixel (replicate, circular, reflect) sends its gradient to that pixel.
 */
export function conv2dBackward(
  rt: NaiveRuntime,
  x: DataId,
  w: DataId,
  dy: DataId,
  p: Conv2dParams,
  wants: Conv2dBackwardWants,
): Conv2dBackwardResult {
  const X = rt.f(x);
  const Wt = rt.f(w);
  const DY = rt.f(dy);
  const Cg = p.C / p.groups;
  const Kg = p.K / p.groups;
  const dx = new Float64Array(wants.dx ? X.length : 0);
  const dw = new Float64Array(wants.dw ? Wt.length : 0);
  const db = new Float64Array(wants.db ? p.K : 0);
  for (let n = 0; n < p.N; n++)
    for (let k = 0; k < p.K; k++) {
      const g = Math.floor(k / Kg);
      for (let oy = 0; oy < p.outH; oy++)
        for (let ox = 0; ox < p.outW; ox++) {
          const d = DY[((n * p.K + k) * p.outH + oy) * p.outW + ox]!;
          if (wants.db) db[k] += d;
          if (!wants.dx && !wants.dw) continue;
          for (let cg = 0; cg < Cg; cg++) {
            const c = g * Cg + cg;
            for (let ky = 0; ky < p.kH; ky++)
              for (let kx = 0; kx < p.kW; kx++) {
                const t = tap(p, p.padMode, oy, ox, ky, kx);
                if (!t) continue;
                const xi = ((n * p.C + c) * p.inH + t[0]) * p.inW + t[1];
                const wi = weightIndex(p, k, cg, ky, kx);
                if (wants.dx) dx[xi] += Wt[wi]! * d;
                if (wants.dw) dw[wi] += X[xi]! * d;
              }
          }
        }
    }
  const r: Conv2dBackwardResult = {};
  if (wants.dx) r.dx = rt.adopt(Float32Array.from(dx), 'float32');
  if (wants.dw) r.dw = rt.adopt(Float32Array.from(dw), 'float32');
  if (wants.db) r.db = rt.adopt(Float32Array.from(db), 'float32');
  return r;
}
