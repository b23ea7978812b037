import type { DataId, GlobalPool2dParams } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { sumRows } from '../reduce.js';
import { lit } from '../source.js';
import { globalAvgPoolJob } from '../webgpu/cnn.js';

/**
 * y[n, c] = mean of plane (n, c): row sums over H*W scaled by 1/(H*W). webgpu: one dispatch (a
 * workgroup per plane when it is long, lane partials + tree); GL / webasm: reduce.ts's chunk tree.
 */
export async function globalAvgPool2d(rt: GpujsRuntime, x: DataId, p: GlobalPool2dParams): Promise<DataId> {
  const R = p.N * p.C;
  const P = p.H * p.W;
  const hx = await rt.f(x);
  const wg = rt.engine.webgpu;
  if (wg) {
    const [y] = await rt.engine.wgsl([{ ...globalAvgPoolJob(p, wg.maxGroups), inputs: [hx] }], [R]);
    return rt.out(y, R);
  }
  const y = await sumRows(rt, 'globalAvgPool2d', R, P, { names: ['x'], handles: [hx] }, (r, j) => `let v = x[${r} * ${lit(P)} + ${j}];`, 1 / P);
  return rt.out(y, R);
}
