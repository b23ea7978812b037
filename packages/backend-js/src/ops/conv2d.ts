import type { Conv2dParams, DataId } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { conv2d as conv2dKernel } from '../primitives/conv2d.js';

export function conv2d(rt: JsRuntime, x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): DataId {
  const s = rt.s;
  const out = s.f32(p.N * p.K * p.outH * p.outW);
  conv2dKernel(p, s.f(x), s.f(w), bias ? s.f(bias) : null, out.values as Float32Array, 0, p.N, 0, p.K, 0, p.outH, rt.scratch);
  return out;
}
