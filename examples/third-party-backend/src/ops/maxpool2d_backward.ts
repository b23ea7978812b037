import { checkPoolIndices, type DataId, type MaxPool2dParams } from '@convkit/core';
import type { Storage } from '../storage.js';

/**
 * dx = 0, then dx[indices[o]] += dy[o] for every output (overlapping windows add up). Core has
 * checked the indices already; the check here covers callers that use the backend directly.
 */
export function maxpool2dBackward(s: Storage, dy: DataId, indices: DataId, p: MaxPool2dParams): DataId {
  const DY = s.f(dy);
  const I = s.i(indices);
  checkPoolIndices('maxpool2dBackward', I, p);
  const acc = new Float64Array(p.N * p.C * p.inH * p.inW);
  for (let o = 0; o < DY.length; o++) if (I[o]! >= 0) acc[I[o]!] += DY[o]!;
  return s.adopt(Float32Array.from(acc), 'float32');
}
