import { describe, expect, it } from 'vitest';
import { refConv1d, refConv2d, refOutputSize, refIm2col, refPadIndex } from './index.js';

describe('CONVENTIONS.md worked examples', () => {
  it('2-D example: 7x7 image, 3x3 kernel, valid, stride 1', () => {
    const I = [
      [0, 1, 1, 1, 0, 0, 0],
      [0, 0, 1, 1, 1, 0, 0],
      [0, 0, 0, 1, 1, 1, 0],
      [0, 0, 0, 1, 1, 0, 0],
      [0, 0, 1, 1, 0, 0, 0],
      [0, 1, 1, 0, 0, 0, 0],
      [1, 1, 0, 0, 0, 0, 0],
    ].flat();
    const K = [1, 0, 1, 0, 1, 0, 1, 0, 1];
    const expected = [
      [1, 4, 3, 4, 1],
      [1, 2, 4, 3, 3],
      [1, 2, 3, 4, 1],
      [1, 3, 3, 1, 1],
      [3, 3, 1, 1, 0],
    ].flat();
    const y = refConv2d({ data: I, shape: [1, 1, 7, 7] }, { data: K, shape: [1, 1, 3, 3] }, null, { padding: 'valid' });
    expect(y.shape).toEqual([1, 1, 5, 5]);
    expect(Array.from(y.data)).toEqual(expected);
  });

  it('1-D example: valid, stride 1', () => {
    const m = [0, 1, 2, 3, 2, 5, 6, 7, 8, 14, 10, 11, 12, 8, 14];
    const f = [-1, 2, -1];
    const y = refConv1d({ data: m, shape: [1, 1, 15] }, { data: f, shape: [1, 1, 3] }, null, { padding: 'valid' });
    expect(y.shape).toEqual([1, 1, 13]);
    expect(Array.from(y.data)).toEqual([0, 0, 2, -4, 2, 0, 0, -5, 10, -5, 0, 5, -10]);
  });

  it("'same' centring: offsets 0,0,-1,-1,-2 for k = 1..5, out = floor((in-1)/s)+1", () => {
    expect([1, 2, 3, 4, 5].map((k) => refOutputSize(10, k, 1, 1, 'same').before)).toEqual([0, 0, 1, 1, 2]);
    expect(refOutputSize(48, 3, 2, 1, 'same').out).toBe(24);
    expect(refOutputSize(7, 3, 3, 1, 'same')).toEqual({ before: 1, after: 1, out: 3 });
    // dilation 2, k 3: span 5, offset -2
    expect(refOutputSize(9, 3, 1, 2, 'same')).toEqual({ before: 2, after: 2, out: 9 });
  });

  it('explicit, valid and ceil-mode output sizes', () => {
    expect(refOutputSize(7, 3, 2, 1, 'valid').out).toBe(3);
    expect(refOutputSize(8, 3, 2, 1, 'valid').out).toBe(3);
    expect(refOutputSize(8, 3, 2, 1, 'valid', true).out).toBe(4);
    // PyTorch: in 5, k 2, s 2, pad 1, ceil -> out 3 ((5+2-2)/2 = 2.5 -> 3, +1 = 4, last start 6 >= 5+1 -> 3)
    expect(refOutputSize(5, 2, 2, 1, [1, 1], true).out).toBe(3);
    expect(refOutputSize(6, 3, 1, 1, [2, 1]).out).toBe(7);
  });

  it('pad index maps (PyTorch reflect/replicate/circular)', () => {
    const n = 4;
    const at = (mode: 'zeros' | 'replicate' | 'circular' | 'reflect') =>
      [-3, -2, -1, 0, 3, 4, 5, 6].map((i) => refPadIndex(i, n, mode));
    expect(at('zeros')).toEqual([-1, -1, -1, 0, 3, -1, -1, -1]);
    expect(at('replicate')).toEqual([0, 0, 0, 0, 3, 3, 3, 3]);
    expect(at('circular')).toEqual([1, 2, 3, 0, 3, 0, 1, 2]);
    expect(at('reflect')).toEqual([3, 2, 1, 0, 3, 2, 1, 0]);
  });

  it('im2col index map on a tiny image', () => {
    // 1x1x3x3 image 1..9, k=2, stride 1, valid -> rows (ky,kx), cols (oy,ox)
    const x = { data: [1, 2, 3, 4, 5, 6, 7, 8, 9], shape: [1, 1, 3, 3] };
    const c = refIm2col(x, { kernel: 2, padding: 'valid' });
    expect(c.shape).toEqual([1, 4, 4]);
    expect(Array.from(c.data)).toEqual([1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9]);
    // 'same' k=3 reflect: top-left window centred on pixel 0 reads x[1][1] at (-1,-1)
    const r = refIm2col(x, { kernel: 3, padMode: 'reflect' });
    expect(r.data[0]).toBe(5);
    const rc = refIm2col(x, { kernel: 3, padMode: 'circular' });
    expect(rc.data[0]).toBe(9);
  });
});
