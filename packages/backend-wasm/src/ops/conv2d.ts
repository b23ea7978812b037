import type { Conv2dParams, DataId } from '@convkit/core';
import type { WasmRuntime } from '../runtime.js';
import { conv2dForward, planConv2d } from '../drivers/conv2d.js';

export function conv2d(r: WasmRuntime, x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): DataId {
  const y = r.s.f32(p.N * p.K * p.outH * p.outW);
  // the algorithm is decided once: the plan sizes the workspace and drives the op
  const plan = planConv2d(r.k, p);
  const ws = r.ws(plan.workspaceBytes);
  conv2dForward(r.k, p, r.s.ptr(x), r.s.ptr(w), bias ? r.s.ptr(bias) : 0, y.ptr, 0, p.N, ws, plan);
  return y;
}
