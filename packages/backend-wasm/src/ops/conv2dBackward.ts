import type { Conv2dBackwardResult, Conv2dBackwardWants, Conv2dParams, DataId } from '@convkit/core';
import type { WasmRuntime } from '../runtime.js';
import {
  conv2dBackwardBias,
  conv2dBackwardData,
  conv2dBackwardDataWorkspaceBytes,
  conv2dBackwardFilter,
  conv2dBackwardFilterWorkspaceBytes,
} from '../drivers/conv2d_backward.js';

export function conv2dBackward(r: WasmRuntime, x: DataId, w: DataId, dy: DataId, p: Conv2dParams, wants: Conv2dBackwardWants): Conv2dBackwardResult {
  const res: Conv2dBackwardResult = {};
  if (wants.dx) {
    const dx = r.s.f32(p.N * p.C * p.inH * p.inW);
    const ws = r.ws(conv2dBackwardDataWorkspaceBytes(r.k, p));
    conv2dBackwardData(r.k, p, r.s.ptr(w), r.s.ptr(dy), dx.ptr, 0, p.N, ws);
    res.dx = dx;
  }
  if (wants.dw) {
    const dw = r.s.f32(p.K * (p.C / p.groups) * p.kH * p.kW);
    const ws = r.ws(conv2dBackwardFilterWorkspaceBytes(r.k, p));
    conv2dBackwardFilter(r.k, p, r.s.ptr(x), r.s.ptr(dy), dw.ptr, 0, p.K, ws);
    res.dw = dw;
  }
  if (wants.db) {
    const db = r.s.f32(p.K);
    conv2dBackwardBias(r.k, p, r.s.ptr(dy), db.ptr, 0, p.K);
    res.db = db;
  }
  return res;
}
