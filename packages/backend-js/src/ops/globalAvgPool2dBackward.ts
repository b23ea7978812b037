import type { DataId, GlobalPool2dParams } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { globalAvgPool2dBackward as kernel } from '../primitives/avgpool2d.js';

export function globalAvgPool2dBackward(rt: JsRuntime, dy: DataId, p: GlobalPool2dParams): DataId {
  const s = rt.s;
  const dx = s.alloc(p.N * p.C * p.H * p.W, 'float32', false);
  kernel(p, s.f(dy), dx.values as Float32Array);
  return dx;
}
