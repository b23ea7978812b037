import { describe, expect, it } from 'vitest';
import { segments, split, taskCount } from './partition.js';

describe('split', () => {
  it('covers [0, n) exactly with at most `parts` aligned, non-empty ranges', () => {
    for (const [n, parts, align] of [
      [10, 3, 1],
      [37, 2, 4],
      [5, 8, 1],
      [100, 7, 8],
      [1, 4, 16],
      [64, 2, 1],
    ] as const) {
      const r = split(n, parts, align);
      expect(r.length).toBeGreaterThan(0);
      expect(r.length).toBeLessThanOrEqual(parts);
      expect(r[0]![0]).toBe(0);
      expect(r[r.length - 1]![1]).toBe(n);
      for (let i = 0; i < r.length; i++) {
        expect(r[i]![1]).toBeGreaterThan(r[i]![0]);
        if (i > 0) expect(r[i]![0]).toBe(r[i - 1]![1]);
        if (i < r.length - 1) expect(r[i]![1] % align).toBe(0);
      }
    }
    expect(split(8, 2)).toEqual([
      [0, 4],
      [4, 8],
    ]);
    expect(split(0, 3)).toEqual([]);
  });
});

describe('segments', () => {
  it('lists the flat elements of a block of a row-major tensor, merged', () => {
    // shape [2, 3, 4]: block n in [0,2), c in [1,3) -> per n one run of 2*4 elements
    expect(segments([2, 3, 4], [[0, 2], [1, 3]])).toEqual([
      [4, 12],
      [16, 24],
    ]);
    // whole leading dims merge into one run
    expect(segments([2, 3, 4], [[0, 2], [0, 3]])).toEqual([[0, 24]]);
    expect(segments([5, 6], [[2, 4]])).toEqual([[12, 24]]);
    // brute force against the definition on a 4-D block
    const shape = [3, 4, 5, 2];
    const ranges = [
      [1, 3],
      [0, 4],
      [2, 4],
    ] as const;
    const want: number[] = [];
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 4; b++)
        for (let c = 0; c < 5; c++)
          for (let d = 0; d < 2; d++)
            if (a >= 1 && a < 3 && c >= 2 && c < 4) want.push(((a * 4 + b) * 5 + c) * 2 + d);
    const got: number[] = [];
    for (const [s, e] of segments(shape, ranges)) for (let i = s; i < e; i++) got.push(i);
    expect(got).toEqual(want);
  });
});

describe('taskCount', () => {
  it('uses every worker for big ops and one for tiny ones', () => {
    expect(taskCount(1e9, 4, 65536)).toBe(4);
    expect(taskCount(100, 4, 65536)).toBe(1);
    expect(taskCount(3 * 65536, 8, 65536)).toBe(3);
    expect(taskCount(5, 3, 1)).toBe(3);
  });
});
