import type { BatchNorm2dBackwardParams, DataId } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { batchNorm2dBackward as kernel } from '../primitives/batchnorm.js';

export function batchNorm2dBackward(rt: JsRuntime, x: DataId, dy: DataId, gamma: DataId | null, p: BatchNorm2dBackwardParams): { dx: DataId; dgamma: DataId; dbeta: DataId } {
  const s = rt.s;
  const dx = s.alloc(p.N * p.C * p.H * p.W, 'float32', false);
  const dgamma = s.alloc(p.C, 'float32', false);
  const dbeta = s.alloc(p.C, 'float32', false);
  kernel(p, s.f(x), s.f(dy), gamma ? s.f(gamma) : null, dx.values as Float32Array, dgamma.values as Float32Array, dbeta.values as Float32Array);
  return { dx, dgamma, dbeta };
}
