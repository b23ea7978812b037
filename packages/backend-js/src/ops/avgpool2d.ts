import type { AvgPool2dParams, DataId } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { avgpool2d as kernel, avgpoolDivisors } from '../primitives/avgpool2d.js';

export function avgpool2d(rt: JsRuntime, x: DataId, p: AvgPool2dParams): DataId {
  const s = rt.s;
  const y = s.alloc(p.N * p.C * p.outH * p.outW, 'float32', false);
  kernel(p, s.f(x), y.values as Float32Array, avgpoolDivisors(p));
  return y;
}
