import type { DataId } from '@convkit/core';
import type { NaiveRuntime } from '../runtime.js';

/** y = max(x, 0); NaN stays NaN. */
export function relu(rt: NaiveRuntime, x: DataId, size: number): DataId {
  const X = rt.f(x);
  const out = rt.f32(size);
  for (let i = 0; i < size; i++) out.values[i] = X[i]! < 0 ? 0 : X[i]!;
  return out;
}
