import type { DataId, GlobalPool2dParams } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { globalAvgPool2d as kernel } from '../primitives/avgpool2d.js';

export function globalAvgPool2d(rt: JsRuntime, x: DataId, p: GlobalPool2dParams): DataId {
  const s = rt.s;
  const y = s.alloc(p.N * p.C, 'float32', false);
  kernel(p, s.f(x), y.values as Float32Array);
  return y;
}
