import type { DataId, MaxPool2dParams } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { maxpool2d as maxpoolKernel } from '../primitives/maxpool2d.js';

export function maxpool2d(rt: JsRuntime, x: DataId, p: MaxPool2dParams): { y: DataId; indices: DataId } {
  const s = rt.s;
  const size = p.N * p.C * p.outH * p.outW;
  // the kernel writes every output: no need to zero recycled arrays first
  const y = s.alloc(size, 'float32', false);
  const indices = s.alloc(size, 'int32', false);
  maxpoolKernel(p, s.f(x), y.values as Float32Array, indices.values as Int32Array);
  return { y, indices };
}
