import type { RefTensor, TensorLike } from './types.js';
import { need, sizeOf } from './util.js';

/**
 * numpy / ONNX multidirectional broadcasting: shapes are aligned on the right, missing leading
 * axes count as 1, and each axis must be equal or 1 in one operand. Returns the result shape.
 * NCHW examples: [N,C,H,W] with [N,C,H,W] (same shape), [C,1,1] or [1,C,1,1] (per channel),
 * [] or [1] (scalar).
 */
export function refBroadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    need(Number.isInteger(da) && da >= 0 && Number.isInteger(db) && db >= 0, `bad dimension in [${a.join(', ')}] or [${b.join(', ')}]`);
    need(da === db || da === 1 || db === 1, `shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast (axis ${i - r}: ${da} vs ${db})`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** For every flat index of `out`, the flat index of the operand of shape `s` it reads. */
export function broadcastIndex(s: readonly number[], out: readonly number[]): Int32Array {
  const r = out.length;
  const n = sizeOf(out);
  const map = new Int32Array(n);
  // operand strides aligned on the right; 0 along broadcast axes
  const strides = new Array<number>(r).fill(0);
  let st = 1;
  for (let i = s.length - 1; i >= 0; i--) {
    const ax = r - s.length + i;
    strides[ax] = s[i] === 1 ? 0 : st;
    st *= s[i]!;
  }
  const idx = new Array<number>(r).fill(0);
  for (let f = 0; f < n; f++) {
    let m = 0;
    for (let ax = 0; ax < r; ax++) m += idx[ax]! * strides[ax]!;
    map[f] = m;
    for (let ax = r - 1; ax >= 0; ax--) {
      if (++idx[ax]! < out[ax]!) break;
      idx[ax] = 0;
    }
  }
  return map;
}

export function checkTensor(t: TensorLike, name: string): void {
  need(t.data.length === sizeOf(t.shape), `${name} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
}

/** Elementwise f(a, b) with broadcasting. */
export function broadcastBinary(a: TensorLike, b: TensorLike, f: (x: number, y: number) => number): RefTensor {
  checkTensor(a, 'a');
  checkTensor(b, 'b');
  const shape = refBroadcastShape(a.shape, b.shape);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const y = new Float64Array(ia.length);
  for (let i = 0; i < y.length; i++) y[i] = f(a.data[ia[i]!]!, b.data[ib[i]!]!);
  return { data: y, shape };
}

/**
 * Sums g (of the broadcast result shape) into an operand of shape s: the gradient of a broadcast
 * operand is the output gradient summed over the axes it was broadcast along (including the
 * missing leading axes), reshaped to s.
 */
export function refReduceTo(g: TensorLike, s: readonly number[]): RefTensor {
  checkTensor(g, 'dy');
  const shape = refBroadcastShape(g.shape, s);
  need(shape.length === g.shape.length && shape.every((d, i) => d === g.shape[i]), `shape [${s.join(', ')}] does not broadcast to dy [${g.shape.join(', ')}]`);
  const map = broadcastIndex(s, g.shape);
  const out = new Float64Array(sizeOf(s));
  for (let i = 0; i < map.length; i++) out[map[i]!] += g.data[i]!;
  return { data: out, shape: [...s] };
}
