import type { DataId, Im2colParams } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { col2im as col2imKernel } from '../primitives/im2col.js';

export function col2im(rt: JsRuntime, cols: DataId, p: Im2colParams): DataId {
  const s = rt.s;
  const out = s.f32(p.N * p.C * p.inH * p.inW);
  col2imKernel(p, s.f(cols), out.values as Float32Array);
  return out;
}
