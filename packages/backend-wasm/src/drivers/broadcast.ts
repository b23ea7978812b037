import type { BroadcastParams } from '@convkit/core';
import type { WasmKernels } from '@convkit/wasm-kernels';

export type BinaryOp = 'add' | 'sub' | 'mul';

/** The broadcast iteration collapsed: axes of size 1 dropped, adjacent axes merged where both operands are contiguous across them. */
export interface CollapsedBroadcast {
  shape: number[];
  aStrides: number[];
  bStrides: number[];
}

export function collapseBroadcast(p: BroadcastParams): CollapsedBroadcast {
  const shape: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let ax = 0; ax < p.shape.length; ax++) {
    if (p.shape[ax] === 1) continue;
    shape.push(p.shape[ax]!);
    as.push(p.aStrides[ax]!);
    bs.push(p.bStrides[ax]!);
  }
  // merge axis i into i+1 (from the inside out) when each operand's stride along i is its stride along i+1 times that extent
  for (let i = shape.length - 2; i >= 0; i--) {
    const n = shape[i + 1]!;
    if (as[i] === as[i + 1]! * n && bs[i] === bs[i + 1]! * n) {
      shape[i + 1] = shape[i]! * n;
      shape.splice(i, 1);
      as.splice(i, 1);
      bs.splice(i, 1);
    }
  }
  return { shape, aStrides: as, bStrides: bs };
}

/**
 * y = a (op) b with numpy broadcasting (pointers to whole tensors; y dense of p.size): the
 * collapsed innermost two axes go to one `addRows`/`subRows`/`mulRows` call (f32x4 where the
 * inner strides are 0 or 1), the outer axes are iterated here.
 */
export function broadcastBinary(k: WasmKernels, op: BinaryOp, p: BroadcastParams, a: number, b: number, y: number): void {
  if (p.size === 0) return;
  const fn = op === 'add' ? k.exports.addRows : op === 'sub' ? k.exports.subRows : k.exports.mulRows;
  const { shape, aStrides, bStrides } = collapseBroadcast(p);
  const r = shape.length;
  if (r === 0) {
    fn(a, 0, 0, b, 0, 0, y, 1, 1);
    return;
  }
  const n = shape[r - 1]!;
  const sa = aStrides[r - 1]!;
  const sb = bStrides[r - 1]!;
  const m = r >= 2 ? shape[r - 2]! : 1;
  const oa = r >= 2 ? aStrides[r - 2]! : 0;
  const ob = r >= 2 ? bStrides[r - 2]! : 0;
  const outer = r - 2; // axes [0, outer) iterated here
  if (outer <= 0) {
    fn(a, oa, sa, b, ob, sb, y, m, n);
    return;
  }
  const idx = new Array<number>(outer).fill(0);
  let count = 1;
  for (let ax = 0; ax < outer; ax++) count *= shape[ax]!;
  let ia = 0;
  let ib = 0;
  const block = m * n;
  for (let t = 0; t < count; t++) {
    fn(a + ia * 4, oa, sa, b + ib * 4, ob, sb, y + t * block * 4, m, n);
    for (let ax = outer - 1; ax >= 0; ax--) {
      ia += aStrides[ax]!;
      ib += bStrides[ax]!;
      if (++idx[ax]! < shape[ax]!) break;
      ia -= aStrides[ax]! * shape[ax]!;
      ib -= bStrides[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
}
