import type { DataId } from '@convkit/core';
import type { JsStorage } from '../storage.js';
import { relu as kernel } from '../kernels/elementwise.js';

export function relu(s: JsStorage, x: DataId, size: number): DataId {
  const y = s.f32(size);
  kernel(s.f(x), y.values as Float32Array, 0, size);
  return y;
}
