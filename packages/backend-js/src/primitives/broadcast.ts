import type { BroadcastParams, SumToShapeParams } from '@convkit/core';

/** Which elementwise binary op: y = a + b, a - b or a * b. */
export type BinaryOp = 'add' | 'sub' | 'mul';

/** The operand strides are those of a dense array of the result's shape (no broadcasting). */
function dense(shape: readonly number[], strides: readonly number[]): boolean {
  let st = 1;
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    if (shape[ax] !== 1 && strides[ax] !== st) return false;
    st *= shape[ax]!;
  }
  return true;
}

/**
 * y[o] = a[ia] (op) b[ib] over outputs [start, end) of the broadcast result (numpy rules; core
 * gives the operands' strides along each result axis, 0 where broadcast).
 */
export function broadcastBinary(op: BinaryOp, p: BroadcastParams, a: Float32Array, b: Float32Array, y: Float32Array, start = 0, end = p.size): void {
  const { shape, aStrides, bStrides } = p;
  const r = shape.length;
  if (dense(shape, aStrides) && dense(shape, bStrides)) {
    if (op === 'add') for (let o = start; o < end; o++) y[o] = a[o]! + b[o]!;
    else if (op === 'sub') for (let o = start; o < end; o++) y[o] = a[o]! - b[o]!;
    else for (let o = start; o < end; o++) y[o] = a[o]! * b[o]!;
    return;
  }
  // odometer over the result's index; the innermost axis runs as a strided loop
  const idx = new Array<number>(r).fill(0);
  let rem = start;
  let ia = 0;
  let ib = 0;
  for (let ax = r - 1; ax >= 0; ax--) {
    idx[ax] = rem % shape[ax]!;
    rem = Math.floor(rem / shape[ax]!);
    ia += idx[ax]! * aStrides[ax]!;
    ib += idx[ax]! * bStrides[ax]!;
  }
  const last = r - 1;
  const L = shape[last]!;
  const sa = aStrides[last]!;
  const sb = bStrides[last]!;
  let o = start;
  while (o < end) {
    const run = Math.min(L - idx[last]!, end - o);
    if (op === 'add') for (let j = 0; j < run; j++) y[o + j] = a[ia + j * sa]! + b[ib + j * sb]!;
    else if (op === 'sub') for (let j = 0; j < run; j++) y[o + j] = a[ia + j * sa]! - b[ib + j * sb]!;
    else for (let j = 0; j < run; j++) y[o + j] = a[ia + j * sa]! * b[ib + j * sb]!;
    o += run;
    if (o >= end) break;
    // carry into the outer axes
    ia += (L - idx[last]!) * sa - L * sa;
    ib += (L - idx[last]!) * sb - L * sb;
    idx[last] = 0;
    for (let ax = last - 1; ax >= 0; ax--) {
      ia += aStrides[ax]!;
      ib += bStrides[ax]!;
      if (++idx[ax]! < shape[ax]!) break;
      ia -= aStrides[ax]! * shape[ax]!;
      ib -= bStrides[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
}

/**
 * How sumToShape's range is counted: 'copy' when nothing is reduced (only axes of size 1 differ:
 * a scaled copy, ranged by element), else the split axis, the first axis of x that y keeps
 * (non-zero stride, size > 1): y's elements whose index along it lies in a range are one
 * contiguous block of y, summed from their own slab of x alone; -1 when y keeps no axis (a sum to
 * one value, whose only range is [0, 1)).
 */
export function sumToShapeAxis(p: SumToShapeParams): number | 'copy' {
  if (p.shape.length === 0 || p.outSize === p.size) return 'copy';
  return p.strides.findIndex((s, ax) => s !== 0 && p.shape[ax]! > 1);
}

/**
 * y = alpha * x summed down to the target shape (the gradient of a broadcast operand): x[i] adds
 * into y at the offset its index has under the target's strides (0 along reduced axes). Sums in
 * float64, written once. Computes the outputs whose index along sumToShapeAxis(p) lies in
 * [start, end) (elements [start, end) for a copy; default: all, end = p.size for a copy, else the
 * split axis' length, 1 for a sum to one value). Each range visits its slab of x in x's row-major
 * order, last-axis rows summed first where the last axis is reduced, so every output gets the same
 * float64 sum whatever the split.
 */
export function sumToShape(p: SumToShapeParams, x: Float32Array, y: Float32Array, start = 0, end?: number): void {
  const { shape, strides, size, outSize, alpha } = p;
  const a = sumToShapeAxis(p);
  if (a === 'copy') {
    const e = end ?? size;
    for (let i = start; i < e; i++) y[i] = alpha * x[i]!;
    return;
  }
  // x as [outer, A, inner] around the split axis a (A = 1 when y keeps no axis); y's block of
  // index i along a starts at i * sa
  const r = shape.length;
  const last = r - 1;
  const A = a < 0 ? 1 : shape[a]!;
  const stop = end ?? A;
  const sa = a < 0 ? outSize : strides[a]!;
  let outer = 1;
  for (let ax = 0; ax < a; ax++) outer *= shape[ax]!;
  let inner = 1;
  for (let ax = a + 1; ax < r; ax++) inner *= shape[ax]!;
  const acc = new Float64Array((stop - start) * sa);
  if (a === last) {
    // only the last axis is kept: one add per element, in x's order
    for (let o = 0; o < outer; o++) {
      const xo = o * A;
      for (let i = start, k = 0; i < stop; i++, k += sa) acc[k] += x[xo + i]!;
    }
  } else {
    const L = shape[last]!;
    const s = strides[last]!;
    const idx = new Array<number>(r).fill(0);
    for (let o = 0; o < outer; o++) {
      for (let i = start; i < stop; i++) {
        const xb = (o * A + i) * inner;
        let iy = (i - start) * sa;
        // the axes after a, odometer with the innermost axis as a row (a slab is whole cycles of
        // it, so idx is back at 0 after each)
        for (let k = 0; k < inner; k += L) {
          const xr = xb + k;
          if (s === 0) {
            let t = 0;
            for (let j = 0; j < L; j++) t += x[xr + j]!;
            acc[iy] += t;
          } else {
            for (let j = 0; j < L; j++) acc[iy + j * s] += x[xr + j]!;
          }
          for (let ax = last - 1; ax > a; ax--) {
            iy += strides[ax]!;
            if (++idx[ax]! < shape[ax]!) break;
            iy -= strides[ax]! * shape[ax]!;
            idx[ax] = 0;
          }
        }
      }
    }
  }
  const y0 = start * sa;
  for (let k = 0; k < acc.length; k++) y[y0 + k] = alpha * acc[k]!;
}
