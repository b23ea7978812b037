import type { AvgPool2dParams, DataId } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { avgpool2dBackward as kernel, avgpoolDivisors } from '../primitives/avgpool2d.js';

export function avgpool2dBackward(rt: JsRuntime, dy: DataId, p: AvgPool2dParams): DataId {
  const s = rt.s;
  // zeroed: windows add into it
  const dx = s.alloc(p.N * p.C * p.inH * p.inW, 'float32', true);
  kernel(p, s.f(dy), dx.values as Float32Array, avgpoolDivisors(p));
  return dx;
}
