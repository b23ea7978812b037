import type { DataId, MaxPool2dParams } from '@convkit/core';
import type { WasmRuntime } from '../runtime.js';
import { maxpool2d as maxpoolDriver } from '../drivers/maxpool.js';

export function maxpool2d(r: WasmRuntime, x: DataId, p: MaxPool2dParams): { y: DataId; indices: DataId } {
  const size = p.N * p.C * p.outH * p.outW;
  const y = r.s.f32(size);
  const indices = r.s.alloc(size, 'int32');
  maxpoolDriver(r.k, p, r.s.ptr(x), y.ptr, indices.ptr, 0, p.N * p.C);
  return { y, indices };
}
