import type { Conv2dParams, DataId } from '@convkit/core';
import type { JsStorage } from '../storage.js';
import type { Scratch } from '../kernels/scratch.js';
import { conv2d as conv2dKernel } from '../kernels/conv2d.js';

export function conv2d(s: JsStorage, scratch: Scratch, x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): DataId {
  const out = s.f32(p.N * p.K * p.outH * p.outW);
  conv2dKernel(p, s.f(x), s.f(w), bias ? s.f(bias) : null, out.values as Float32Array, 0, p.N, 0, p.K, 0, p.outH, scratch);
  return out;
}
