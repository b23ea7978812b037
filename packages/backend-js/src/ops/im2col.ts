import type { DataId, Im2colParams } from '@convkit/core';
import type { JsStorage } from '../storage.js';
import { im2col as im2colKernel } from '../kernels/im2col.js';

export function im2col(s: JsStorage, x: DataId, p: Im2colParams): DataId {
  const out = s.f32(p.N * p.C * p.kH * p.kW * p.outH * p.outW);
  im2colKernel(p, s.f(x), out.values as Float32Array);
  return out;
}
