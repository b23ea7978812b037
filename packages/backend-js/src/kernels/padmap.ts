import type { PadMode } from '@convkit/core';

/**
 * Maps a possibly out-of-range coordinate to the in-image coordinate it reads, or -1 for a
 * zero-padded position (CONVENTIONS.md pad modes; same map as core's padIndex, inlined here
 * so the kernels have no runtime imports).
 */
export function padIndex(i: number, n: number, mode: PadMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'zeros':
      return -1;
    case 'replicate':
      return i < 0 ? 0 : n - 1;
    case 'circular':
      return ((i % n) + n) % n;
    case 'reflect': {
      if (n === 1) return 0;
      const period = 2 * n - 2;
      let j = Math.abs(i) % period;
      if (j >= n) j = period - j;
      return j;
    }
    default:
      return -1;
  }
}

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
