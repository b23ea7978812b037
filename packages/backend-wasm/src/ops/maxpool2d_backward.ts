import { checkPoolIndices, type DataId, type MaxPool2dParams } from '@convkit/core';
import type { WasmRuntime } from '../context.js';
import { maxpool2dBackward as driver } from '../drivers/maxpool.js';

/** Refuses (ValidationError) an index outside its own window before dx is allocated. */
export function maxpool2dBackward(r: WasmRuntime, dy: DataId, indices: DataId, p: MaxPool2dParams): DataId {
  checkPoolIndices('maxpool2dBackward', r.s.iv(indices), p);
  const dx = r.s.f32(p.N * p.C * p.inH * p.inW);
  driver(r.k, p, r.s.ptr(dy), r.s.ptr(indices), dx.ptr, 0, p.N * p.C);
  return dx;
}
