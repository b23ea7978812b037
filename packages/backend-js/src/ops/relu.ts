import type { DataId } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { relu as kernel } from '../primitives/elementwise.js';

export function relu(rt: JsRuntime, x: DataId, size: number): DataId {
  const s = rt.s;
  const y = s.f32(size);
  kernel(s.f(x), y.values as Float32Array, 0, size);
  return y;
}
