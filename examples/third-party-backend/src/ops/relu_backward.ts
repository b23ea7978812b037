import type { DataId } from '@convkit/core';
import type { Storage } from '../storage.js';

/** dx = dy where x > 0, else 0. */
export function reluBackward(s: Storage, x: DataId, dy: DataId, size: number): DataId {
  const X = s.f(x);
  const DY = s.f(dy);
  const out = s.f32(size);
  for (let i = 0; i < size; i++) out.values[i] = X[i]! > 0 ? DY[i]! : 0;
  return out;
}
