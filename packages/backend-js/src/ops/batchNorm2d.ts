import type { BatchNorm2dParams, BatchNorm2dResult, DataId } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { batchNorm2d as kernel } from '../primitives/batchnorm.js';

export function batchNorm2d(
  rt: JsRuntime,
  x: DataId,
  gamma: DataId | null,
  beta: DataId | null,
  runningMean: DataId | null,
  runningVar: DataId | null,
  p: BatchNorm2dParams,
): BatchNorm2dResult {
  const s = rt.s;
  const opt = (id: DataId | null) => (id ? s.f(id) : null);
  const y = s.alloc(p.N * p.C * p.H * p.W, 'float32', false);
  const update = p.training && runningMean !== null && runningVar !== null;
  const rm = update ? s.alloc(p.C, 'float32', false) : null;
  const rv = update ? s.alloc(p.C, 'float32', false) : null;
  kernel(p, s.f(x), opt(gamma), opt(beta), opt(runningMean), opt(runningVar), y.values as Float32Array, rm ? (rm.values as Float32Array) : null, rv ? (rv.values as Float32Array) : null);
  return { y, runningMean: rm, runningVar: rv };
}
