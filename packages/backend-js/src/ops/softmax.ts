import type { AxisParams, DataId } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { softmaxAxis } from '../primitives/softmax.js';

export function softmax(rt: JsRuntime, x: DataId, p: AxisParams): DataId {
  const s = rt.s;
  const y = s.alloc(p.outer * p.len * p.inner, 'float32', false);
  softmaxAxis(p, s.f(x), y.values as Float32Array, false);
  return y;
}
