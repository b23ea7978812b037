import type { PadMode } from '@convkit/core';
import { padIndex } from '@convkit/core/geometry';

/**
 * Index helpers of the range kernels; the pad map itself (padIndex) is core's, from the
 * dependency-free `@convkit/core/geometry` entry.
 */

/**
 * Fills map[t*outSize + o] = padIndex(o*stride - pad + t*dil) for t in [0, k), o in [0, outSize).
 */
export function buildAxisMap(
  map: Int32Array,
  k: number,
  outSize: number,
  stride: number,
  dil: number,
  pad: number,
  inSize: number,
  mode: PadMode,
): void {
  for (let t = 0; t < k; t++) {
    const base = t * dil - pad;
    const row = t * outSize;
    for (let o = 0; o < outSize; o++) map[row + o] = padIndex(o * stride + base, inSize, mode);
  }
}

/** First o with o*stride + base >= 0 (clamped to [0, outSize]). */
export function firstInside(base: number, stride: number, outSize: number): number {
  if (base >= 0) return 0;
  const o = Math.ceil(-base / stride);
  return o > outSize ? outSize : o;
}

/** One past the last o with o*stride + base < inSize (clamped to [lo, outSize]). */
export function endInside(base: number, stride: number, inSize: number, outSize: number, lo: number): number {
  // o*stride + base <= inSize - 1  =>  o <= (inSize - 1 - base) / stride
  const lim = inSize - 1 - base;
  if (lim < 0) return lo;
  const o = Math.floor(lim / stride) + 1;
  if (o > outSize) return outSize;
  return o < lo ? lo : o;
}
