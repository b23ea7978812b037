import { describe, expect, it } from 'vitest';
import { refLogSoftmax, refLogSoftmaxBackward, refSoftmax, refSoftmaxBackward, refSoftmaxCrossEntropy } from './index.js';
import { dot, numGrad, randn, relErr, rng } from './testutil.js';

const arr = (t: { data: ArrayLike<number> }) => Array.from(t.data);

describe('softmax / logSoftmax on an axis: hand-computed cases', () => {
  it('last axis (default) of [2, 3]', () => {
    const x = { data: [0, Math.log(2), Math.log(5), 1, 1, 1], shape: [2, 3] };
    const y = refSoftmax(x);
    const want = [1 / 8, 2 / 8, 5 / 8, 1 / 3, 1 / 3, 1 / 3];
    for (let i = 0; i < 6; i++) expect(y.data[i]).toBeCloseTo(want[i]!, 15);
    const l = refLogSoftmax(x);
    for (let i = 0; i < 6; i++) expect(l.data[i]).toBeCloseTo(Math.log(want[i]!), 14);
  });

  it('axis 0 and a negative axis normalise along that axis', () => {
    const x = { data: [0, 1, Math.log(3), 1], shape: [2, 2] };
    const y = refSoftmax(x, 0); // columns [0, ln 3] and [1, 1]
    const want = [1 / 4, 1 / 2, 3 / 4, 1 / 2];
    for (let i = 0; i < 4; i++) expect(y.data[i]).toBeCloseTo(want[i]!, 15);
    expect(arr(refSoftmax(x, -2))).toEqual(arr(y));
    // NCHW channel softmax (axis 1): every pixel's channel vector sums to 1
    const r = rng(3);
    const t = { data: randn(2 * 4 * 3 * 5, r), shape: [2, 4, 3, 5] };
    const s = refSoftmax(t, 1);
    for (let n = 0; n < 2; n++)
      for (let p = 0; p < 15; p++) {
        let sum = 0;
        for (let c = 0; c < 4; c++) sum += s.data[(n * 4 + c) * 15 + p]!;
        expect(sum).toBeCloseTo(1, 14);
      }
  });

  it('large logits do not overflow (max subtracted); agrees with softmaxCrossEntropy probs', () => {
    const x = { data: [1000, 1001, 1002, -5, 0, 5], shape: [2, 3] };
    const y = refSoftmax(x);
    expect(arr(y).every(Number.isFinite)).toBe(true);
    const p = refSoftmaxCrossEntropy(x, [0, 1]).probs;
    for (let i = 0; i < 6; i++) expect(y.data[i]).toBeCloseTo(p.data[i]!, 15);
    const l = refLogSoftmax(x);
    expect(l.data[2]).toBeCloseTo(-Math.log(1 + Math.exp(-1) + Math.exp(-2)), 13);
  });

  it('NaN in a slice makes that slice NaN and leaves the others', () => {
    const x = { data: [1, NaN, 2, 1, 2, 3], shape: [2, 3] };
    for (const y of [refSoftmax(x), refLogSoftmax(x)]) {
      expect(arr(y).slice(0, 3).every(Number.isNaN)).toBe(true);
      expect(arr(y).slice(3).every(Number.isFinite)).toBe(true);
    }
  });

  it('typed errors', () => {
    expect(() => refSoftmax({ data: [1, 2], shape: [2] }, 1)).toThrow(/axis/);
    expect(() => refSoftmax({ data: [1, 2], shape: [3] })).toThrow(/values/);
    expect(() => refLogSoftmax({ data: [1], shape: [] })).toThrow(/rank/);
    expect(() => refSoftmaxBackward({ data: [1, 2], shape: [2] }, { data: [1, 2], shape: [1, 2] })).toThrow(/shape/);
  });
});

describe('softmax / logSoftmax backward vs central differences', () => {
  for (const [ci, [shape, axis]] of ([
    [[3, 5], -1],
    [[2, 4, 3, 2], 1],
    [[2, 3, 4], 0],
    [[4, 3, 2], -2],
  ] as [number[], number][]).entries()) {
    it(`[${shape.join(', ')}] axis ${axis}`, () => {
      const r = rng(2000 + ci);
      const n = shape.reduce((a, b) => a * b, 1);
      const x = randn(n, r).map((v) => 3 * v);
      const g = randn(n, r);
      const y = refSoftmax({ data: x, shape }, axis);
      const dx = refSoftmaxBackward(y, { data: g, shape }, axis);
      expect(relErr(dx.data, numGrad((v) => dot(refSoftmax({ data: v, shape }, axis).data, g), x))).toBeLessThan(1e-8);
      const l = refLogSoftmax({ data: x, shape }, axis);
      const dl = refLogSoftmaxBackward(l, { data: g, shape }, axis);
      expect(relErr(dl.data, numGrad((v) => dot(refLogSoftmax({ data: v, shape }, axis).data, g), x))).toBeLessThan(1e-8);
    });
  }
});
