import { checkPoolIndices, type DataId, type MaxPool2dParams } from '@convkit/core';
import type { NaiveRuntime } from '../runtime.js';

/**
 * dx = 0, then dx[indices[o]] += dy[o] for every output (overlapping windows add up). Core has
 * checked the indices already; the check here covers callers that use the backend directly.
 */
export function maxpool2dBackward(rt: NaiveRuntime, dy: DataId, indices: DataId, p: MaxPool2dParams): DataId {
  const DY = rt.f(dy);
  const I = rt.i(indices);
  checkPoolIndices('maxpool2dBackward', I, p);
  const acc = new Float64Array(p.N * p.C * p.inH * p.inW);
  for (let o = 0; o < DY.length; o++) if (I[o]! >= 0) acc[I[o]!] += DY[o]!;
  return rt.adopt(Float32Array.from(acc), 'float32');
}
