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
 * y = alpha * x summed down to the target shape (the gradient of a broadcast operand): x[i] adds
 * into y at the offset its index has under the target's strides (0 along reduced axes). Sums in
 * float64, written once.
 */
export function sumToShape(p: SumToShapeParams, x: Float32Array, y: Float32Array): void {
  const { shape, strides, size, outSize, alpha } = p;
  const acc = new Float64Array(outSize);
  const r = shape.length;
  if (r === 0 || outSize === size) {
    // nothing is reduced (only axes of size 1 differ): a scaled copy
    for (let i = 0; i < size; i++) y[i] = alpha * x[i]!;
    return;
  }
  const idx = new Array<number>(r).fill(0);
  const last = r - 1;
  const L = shape[last]!;
  const s = strides[last]!;
  let iy = 0;
  for (let i = 0; i < size; i += L) {
    if (s === 0) {
      let t = 0;
      for (let j = 0; j < L; j++) t += x[i + j]!;
      acc[iy] += t;
    } else {
      for (let j = 0; j < L; j++) acc[iy + j * s] += x[i + j]!;
    }
    for (let ax = last - 1; ax >= 0; ax--) {
      iy += strides[ax]!;
      if (++idx[ax]! < shape[ax]!) break;
      iy -= strides[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
  for (let k = 0; k < outSize; k++) y[k] = alpha * acc[k]!;
}
