import type { Conv2dParams, DataId } from '@convkit/core';
import type { WasmRuntime } from '../context.js';
import { conv2dForward, conv2dWorkspaceBytes } from '../drivers/conv2d.js';

export function conv2d(r: WasmRuntime, x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): DataId {
  const y = r.s.f32(p.N * p.K * p.outH * p.outW);
  const ws = r.ws(conv2dWorkspaceBytes(r.k, p));
  conv2dForward(r.k, p, r.s.ptr(x), r.s.ptr(w), bias ? r.s.ptr(bias) : 0, y.ptr, 0, p.N, ws);
  return y;
}
