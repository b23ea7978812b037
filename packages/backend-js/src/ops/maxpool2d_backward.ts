import { checkPoolIndices, type DataId, type MaxPool2dParams } from '@convkit/core';
import type { JsStorage } from '../storage.js';
import { maxpool2dBackward as kernel } from '../kernels/maxpool2d.js';

/** Refuses (ValidationError) an index outside its own window before dx is allocated. */
export function maxpool2dBackward(s: JsStorage, dy: DataId, indices: DataId, p: MaxPool2dParams): DataId {
  checkPoolIndices('maxpool2dBackward', s.i(indices), p);
  const dx = s.f32(p.N * p.C * p.inH * p.inW);
  kernel(p, s.f(dy), s.i(indices), dx.values as Float32Array);
  return dx;
}
