import type { DataId, SumToShapeParams } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { sumToShape as kernel } from '../primitives/broadcast.js';

export function sumToShape(rt: JsRuntime, x: DataId, p: SumToShapeParams): DataId {
  const s = rt.s;
  const y = s.alloc(p.outSize, 'float32', false);
  kernel(p, s.f(x), y.values as Float32Array);
  return y;
}
