import type { DataId } from '@convkit/core';
import type { JsStorage } from '../storage.js';
import { reluBackward as kernel } from '../kernels/elementwise.js';

export function reluBackward(s: JsStorage, x: DataId, dy: DataId, size: number): DataId {
  const dx = s.f32(size);
  kernel(s.f(x), s.f(dy), dx.values as Float32Array, 0, size);
  return dx;
}
