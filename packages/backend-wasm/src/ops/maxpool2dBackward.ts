import type { DataId, MaxPool2dParams } from '@convkit/core';
import type { WasmRuntime } from '../runtime.js';
import { maxpool2dBackward as driver } from '../drivers/maxpool.js';

export function maxpool2dBackward(r: WasmRuntime, dy: DataId, indices: DataId, p: MaxPool2dParams): DataId {
  const dx = r.s.f32(p.N * p.C * p.inH * p.inW);
  driver(r.k, p, r.s.ptr(dy), r.s.ptr(indices), dx.ptr, 0, p.N * p.C);
  return dx;
}
