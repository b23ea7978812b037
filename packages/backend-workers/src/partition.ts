import type { Seg } from './protocol.js';

export type Range = readonly [number, number];

/**
 * Splits [0, n) into at most `parts` non-empty, nearly equal ranges whose inner boundaries are
 * multiples of `align` (when n allows it).
 */
export function split(n: number, parts: number, align = 1): Range[] {
  if (n <= 0) return [];
  const units = Math.ceil(n / align);
  const k = Math.max(1, Math.min(parts, units));
  const out: Range[] = [];
  let start = 0;
  for (let i = 0; i < k; i++) {
    const endUnit = Math.round(((i + 1) * units) / k);
    const end = Math.min(n, endUnit * align);
    if (end > start) out.push([start, end]);
    start = end;
  }
  return out;
}

/**
 * The flat element segments of a row-major tensor of `shape` covered by `ranges` on its leading
 * dimensions (trailing dimensions whole). Adjacent segments are merged.
 */
export function segments(shape: readonly number[], ranges: readonly Range[]): Seg[] {
  const r = ranges.length;
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d]!;
  }
  const out: [number, number][] = [];
  const push = (a: number, b: number) => {
    if (b <= a) return;
    const last = out[out.length - 1];
    if (last && last[1] === a) last[1] = b;
    else out.push([a, b]);
  };
  const last = r - 1;
  const rec = (d: number, off: number) => {
    if (d === last) {
      push(off + ranges[d]![0] * strides[d]!, off + ranges[d]![1] * strides[d]!);
      return;
    }
    for (let i = ranges[d]![0]; i < ranges[d]![1]; i++) rec(d + 1, off + i * strides[d]!);
  };
  if (r === 0) return [[0, acc]];
  rec(0, 0);
  return out;
}

/** How many tasks an op of `work` (multiply-adds or elements) gets: enough to use every worker, none tiny. */
export function taskCount(work: number, workers: number, minTaskWork: number): number {
  return Math.max(1, Math.min(workers, Math.floor(work / Math.max(1, minTaskWork)) || 1));
}
