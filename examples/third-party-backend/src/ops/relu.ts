import type { DataId } from '@convkit/core';
import type { Storage } from '../storage.js';

/** y = max(x, 0); NaN stays NaN. */
export function relu(s: Storage, x: DataId, size: number): DataId {
  const X = s.f(x);
  const out = s.f32(size);
  for (let i = 0; i < size; i++) out.values[i] = X[i]! < 0 ? 0 : X[i]!;
  return out;
}
