import type { DataId, Im2colParams } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { im2col as im2colKernel } from '../primitives/im2col.js';

export function im2col(rt: JsRuntime, x: DataId, p: Im2colParams): DataId {
  const s = rt.s;
  const out = s.f32(p.N * p.C * p.kH * p.kW * p.outH * p.outW);
  im2colKernel(p, s.f(x), out.values as Float32Array);
  return out;
}
