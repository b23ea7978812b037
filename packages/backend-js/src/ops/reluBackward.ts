import type { DataId } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { reluBackward as kernel } from '../primitives/elementwise.js';

export function reluBackward(rt: JsRuntime, x: DataId, dy: DataId, size: number): DataId {
  const s = rt.s;
  const dx = s.f32(size);
  kernel(s.f(x), s.f(dy), dx.values as Float32Array, 0, size);
  return dx;
}
