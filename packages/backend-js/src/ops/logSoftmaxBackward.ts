import type { AxisParams, DataId } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { softmaxAxisBackward } from '../primitives/softmax.js';

export function logSoftmaxBackward(rt: JsRuntime, y: DataId, dy: DataId, p: AxisParams): DataId {
  const s = rt.s;
  const dx = s.alloc(p.outer * p.len * p.inner, 'float32', false);
  softmaxAxisBackward(p, s.f(y), s.f(dy), dx.values as Float32Array, true);
  return dx;
}
