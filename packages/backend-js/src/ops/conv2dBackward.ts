import type { Conv2dBackwardResult, Conv2dBackwardWants, Conv2dParams, DataId } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { conv2dBackwardBias, conv2dBackwardData, conv2dBackwardFilter } from '../primitives/conv2d_backward.js';

export function conv2dBackward(
  rt: JsRuntime,
  x: DataId,
  w: DataId,
  dy: DataId,
  p: Conv2dParams,
  wants: Conv2dBackwardWants,
): Conv2dBackwardResult {
  const s = rt.s;
  const r: Conv2dBackwardResult = {};
  const dyv = s.f(dy);
  if (wants.dx) {
    const dx = s.f32(p.N * p.C * p.inH * p.inW);
    conv2dBackwardData(p, s.f(w), dyv, dx.values as Float32Array, 0, p.N, 0, p.C, rt.scratch);
    r.dx = dx;
  }
  if (wants.dw) {
    const dw = s.f32(p.K * (p.C / p.groups) * p.kH * p.kW);
    conv2dBackwardFilter(p, s.f(x), dyv, dw.values as Float32Array, 0, p.K, 0, p.C / p.groups, rt.scratch);
    r.dw = dw;
  }
  if (wants.db) {
    const db = s.f32(p.K);
    conv2dBackwardBias(p, dyv, db.values as Float32Array);
    r.db = db;
  }
  return r;
}
