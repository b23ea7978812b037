import type { PadMode, Padding, Padding1d, Pair } from './types.js';

/** Geometry of one spatial axis: padding before/after (window start offset = -before) and output size. */
export interface RefAxis {
  before: number;
  after: number;
  out: number;
}

/**
 * Output size of one axis, straight from CONVENTIONS.md "Geometry".
 *
 * - 'same': out = floor((in - 1) / s) + 1, window o starts at o*s - floor(d*(k-1)/2); `after` is
 *   whatever the last window needs beyond the image (>= 0).
 * - 'valid' or [before, after]: out = floor((in + before + after - d*(k-1) - 1) / s) + 1, or with
 *   ceilMode ceil(...) + 1 minus one if the last window would start in the after-padding.
 *
 * Returns out <= 0 when no window fits.
 */
export function refOutputSize(
  inSize: number,
  k: number,
  stride = 1,
  dilation = 1,
  padding: 'same' | 'valid' | number | readonly [number, number] = 'same',
  ceilMode = false,
): RefAxis {
  if (padding === 'same') {
    const before = Math.floor((dilation * (k - 1)) / 2);
    const out = Math.floor((inSize - 1) / stride) + 1;
    // last window covers (out-1)*s - before ... (out-1)*s - before + d*(k-1)
    const lastEnd = (out - 1) * stride - before + dilation * (k - 1);
    const after = Math.max(0, lastEnd - (inSize - 1));
    return { before, after, out };
  }
  let before: number;
  let after: number;
  if (padding === 'valid') {
    before = 0;
    after = 0;
  } else if (typeof padding === 'number') {
    before = padding;
    after = padding;
  } else {
    before = padding[0];
    after = padding[1];
  }
  const num = inSize + before + after - dilation * (k - 1) - 1;
  if (num < 0) return { before, after, out: 0 };
  let out: number;
  if (ceilMode) {
    out = Math.ceil(num / stride) + 1;
    if ((out - 1) * stride >= inSize + before) out -= 1;
  } else {
    out = Math.floor(num / stride) + 1;
  }
  return { before, after, out };
}

/** [a, b] from a number or a pair. */
export function refPair(v: Pair | undefined, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  if (typeof v === 'number') return [v, v];
  return [v[0], v[1]];
}

/** Splits a 2-D padding into the per-axis forms [vertical, horizontal]. */
export function splitPadding(
  padding: Padding | undefined,
): ['same' | 'valid' | [number, number], 'same' | 'valid' | [number, number]] {
  const p = padding ?? 'same';
  if (p === 'same' || p === 'valid') return [p, p];
  if (typeof p === 'number') return [[p, p], [p, p]];
  return [
    [p[0], p[1]],
    [p[2], p[3]],
  ];
}

/** Full 2-D window geometry. */
export interface RefWindow {
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  dH: number;
  dW: number;
  /** window of output (oy, ox) starts at (oy*sH - top, ox*sW - left) */
  top: number;
  left: number;
  outH: number;
  outW: number;
}

export function refWindow(
  inH: number,
  inW: number,
  kernel: Pair,
  stride: Pair | undefined,
  dilation: Pair | undefined,
  padding: Padding | undefined,
  ceilMode = false,
): RefWindow {
  const [kH, kW] = refPair(kernel, 1);
  const [sH, sW] = refPair(stride, 1);
  const [dH, dW] = refPair(dilation, 1);
  for (const [name, v] of [['kernel', [kH, kW]], ['stride', [sH, sW]], ['dilation', [dH, dW]]] as const) {
    if (!v.every((e) => Number.isInteger(e) && e >= 1)) throw new RangeError(`reference: ${name} must be integers >= 1, got ${JSON.stringify(v)}`);
  }
  const [ph, pw] = splitPadding(padding);
  for (const p of [ph, pw]) {
    if (typeof p !== 'string' && !p.every((e) => Number.isInteger(e) && e >= 0)) {
      throw new RangeError(`reference: explicit padding must be integers >= 0, got ${JSON.stringify(padding)}`);
    }
  }
  const gh = refOutputSize(inH, kH, sH, dH, ph, ceilMode);
  const gw = refOutputSize(inW, kW, sW, dW, pw, ceilMode);
  if (gh.out <= 0 || gw.out <= 0) {
    throw new RangeError(`reference: no window fits (in ${inH}x${inW}, kernel ${kH}x${kW}, padding ${JSON.stringify(padding)})`);
  }
  return { inH, inW, kH, kW, sH, sW, dH, dW, top: gh.before, left: gw.before, outH: gh.out, outW: gw.out };
}

/**
 * The in-image coordinate a possibly out-of-range coordinate i reads for an axis of size n,
 * or -1 for a zero-padded position.
 * - replicate: clamp to the edge;
 * - circular: wrap around (i mod n);
 * - reflect: mirror about the edge pixels without repeating them (PyTorch 'reflect'),
 *   applied repeatedly if i is more than one image away.
 */
export function refPadIndex(i: number, n: number, mode: PadMode): number {
  if (i >= 0 && i < n) return i;
  if (mode === 'zeros') return -1;
  if (mode === 'replicate') return i < 0 ? 0 : n - 1;
  if (mode === 'circular') {
    let j = i;
    while (j < 0) j += n;
    while (j >= n) j -= n;
    return j;
  }
  // reflect
  if (n === 1) return 0;
  let j = i;
  while (j < 0 || j >= n) {
    if (j < 0) j = -j;
    if (j >= n) j = 2 * (n - 1) - j;
  }
  return j;
}

/** A 1-D padding as the 2-D padding of an image with H = 1 (no vertical padding). */
export function padding1dTo2d(p: Padding1d | undefined, dflt: 'same' | 'valid' = 'same'): Padding {
  const q = p ?? dflt;
  if (q === 'same' || q === 'valid') return q;
  if (typeof q === 'number') return [0, 0, q, q];
  return [0, 0, q[0], q[1]];
}
