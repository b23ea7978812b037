import type { DataId, MaxPool2dParams } from '@convkit/core';
import type { JsStorage } from '../storage.js';
import { maxpool2dBackward as kernel } from '../kernels/maxpool2d.js';

export function maxpool2dBackward(s: JsStorage, dy: DataId, indices: DataId, p: MaxPool2dParams): DataId {
  const dx = s.f32(p.N * p.C * p.inH * p.inW);
  kernel(p, s.f(dy), s.i(indices), dx.values as Float32Array);
  return dx;
}
