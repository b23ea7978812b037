import type { DataId } from '@convkit/core';
import type { NaiveRuntime } from '../runtime.js';

/** dx = dy where x > 0, else 0. */
export function reluBackward(rt: NaiveRuntime, x: DataId, dy: DataId, size: number): DataId {
  const X = rt.f(x);
  const DY = rt.f(dy);
  const out = rt.f32(size);
  for (let i = 0; i < size; i++) out.values[i] = X[i]! > 0 ? DY[i]! : 0;
  return out;
}
