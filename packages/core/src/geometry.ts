/**
 * Output geometry shared by every backend (CONVENTIONS.md, "Geometry"). Core computes it once,
 * after validation, and hands the normalized numbers to the backend.
 */

export type PadMode = 'zeros' | 'replicate' | 'circular' | 'reflect';
export const PAD_MODES: readonly PadMode[] = ['zeros', 'replicate', 'circular', 'reflect'];

/** 'same' (the course's centring), 'valid', or explicit [top, bottom, left, right]. A number n means [n, n, n, n]. */
export type Padding = 'same' | 'valid' | number | readonly [number, number, number, number];

/** Normalized 2-D window geometry: what every conv, im2col and pool kernel needs. */
export interface Window2d {
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  /** Offsets: the window of output (oy, ox) starts at input (oy*strideH - padTop, ox*strideW - padLeft). */
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outH: number;
  outW: number;
}

export interface AxisGeometry {
  before: number;
  after: number;
  out: number;
}

/**
 * One spatial axis. `padding` is 'same', 'valid' or [before, after].
 * Returns out <= 0 when no window fits (callers turn that into a ValidationError).
 */
export function axisGeometry(
  inSize: number,
  k: number,
  stride: number,
  dilation: number,
  padding: 'same' | 'valid' | readonly [number, number],
  ceilMode = false,
): AxisGeometry {
  const span = dilation * (k - 1) + 1;
  if (padding === 'same') {
    const before = Math.floor((dilation * (k - 1)) / 2);
    const out = Math.floor((inSize - 1) / stride) + 1;
    const after = Math.max(0, (out - 1) * stride + span - inSize - before);
    return { before, after, out };
  }
  const [before, after] = padding === 'valid' ? [0, 0] : padding;
  const total = inSize + before + after - span;
  if (total < 0) return { before, after, out: 0 };
  let out: number;
  if (ceilMode) {
    out = Math.ceil(total / stride) + 1;
    if ((out - 1) * stride >= inSize + before) out -= 1;
  } else {
    out = Math.floor(total / stride) + 1;
  }
  return { before, after, out };
}

export function pair(v: number | readonly [number, number] | undefined, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  if (typeof v === 'number') return [v, v];
  return [v[0], v[1]];
}

/**
 * Maps a possibly out-of-range input coordinate to the in-image coordinate it reads, or -1
 * for a zero-padded position. The same map serves col2im's adjoint (replicate, circular and
 * reflect add into the pixel they were read from).
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
  }
}

/**
 * numpy / ONNX multidirectional broadcasting: shapes aligned on the right, missing leading axes
 * count as 1, each axis equal or 1 in one operand. The result's shape, or null when they do not
 * broadcast.
 */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * Element strides of an operand of shape `s` along each axis of the broadcast shape `out` (s
 * aligned on the right): 0 along the axes it is broadcast along (missing or of size 1).
 */
export function broadcastStrides(s: readonly number[], out: readonly number[]): number[] {
  const r = out.length;
  const strides = new Array<number>(r).fill(0);
  let st = 1;
  for (let i = s.length - 1; i >= 0; i--) {
    const ax = r - s.length + i;
    strides[ax] = s[i] === 1 ? 0 : st;
    st *= s[i]!;
  }
  return strides;
}

/** A shape seen as [outer, len, inner] around `axis` (already normalized to 0..rank-1). */
export function axisSplit(shape: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, len: shape[axis]!, inner };
}
