import type { DataId, MaxPool2dParams } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { maxpool2dBackward as kernel } from '../primitives/maxpool2d.js';

export function maxpool2dBackward(rt: JsRuntime, dy: DataId, indices: DataId, p: MaxPool2dParams): DataId {
  const s = rt.s;
  const dx = s.f32(p.N * p.C * p.inH * p.inW);
  kernel(p, s.f(dy), s.i(indices), dx.values as Float32Array);
  return dx;
}
