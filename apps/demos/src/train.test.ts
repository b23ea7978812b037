/** trainMnist's helpers: the shift augmentation, by hand. */
import { describe, expect, it } from 'vitest';
import { shiftBatch } from './train.js';

describe('shiftBatch', () => {
  it('moves each image by its drawn (dy, dx) with zero fill; max 0 leaves the batch', () => {
    const img = Float32Array.from({ length: 9 }, (_, i) => i + 1); // [[1,2,3],[4,5,6],[7,8,9]]
    const x = new Float32Array(18);
    x.set(img, 0);
    x.set(img, 9);
    // rng draws: floor(u * 3) - 1 -> image 0: dy = +1, dx = -1; image 1: dy = 0, dx = +1
    const draws = [0.9, 0.1, 0.5, 0.9];
    shiftBatch(x, 2, 3, 1, () => draws.shift()!);
    expect(Array.from(x.subarray(0, 9))).toEqual([0, 0, 0, 2, 3, 0, 5, 6, 0]);
    expect(Array.from(x.subarray(9))).toEqual([0, 1, 2, 0, 4, 5, 0, 7, 8]);
    const y = img.slice();
    shiftBatch(y, 1, 3, 0, () => 0.99);
    expect(Array.from(y)).toEqual(Array.from(img));
    expect(() => shiftBatch(y, 1, 3, 3, Math.random)).toThrow(RangeError);
  });
});
