import type { DataId, Im2colParams } from '@convkit/core';
import type { JsStorage } from '../storage.js';
import { col2im as col2imKernel } from '../kernels/im2col.js';

export function col2im(s: JsStorage, cols: DataId, p: Im2colParams): DataId {
  const out = s.f32(p.N * p.C * p.inH * p.inW);
  col2imKernel(p, s.f(cols), out.values as Float32Array);
  return out;
}
