import { describe, expect, it } from 'vitest';
import { refAdd, refAddBackward, refBroadcastShape, refMul, refMulBackward, refReduceTo, refSub, refSubBackward } from './index.js';
import { dot, numGrad, randn, relErr, rng } from './testutil.js';

const arr = (t: { data: ArrayLike<number> }) => Array.from(t.data);

describe('broadcasting: numpy rules', () => {
  it('result shapes', () => {
    expect(refBroadcastShape([2, 3, 4, 5], [2, 3, 4, 5])).toEqual([2, 3, 4, 5]);
    expect(refBroadcastShape([2, 3, 4, 5], [3, 1, 1])).toEqual([2, 3, 4, 5]);
    expect(refBroadcastShape([1, 3, 1, 1], [2, 3, 4, 5])).toEqual([2, 3, 4, 5]);
    expect(refBroadcastShape([2, 3, 4, 5], [])).toEqual([2, 3, 4, 5]);
    expect(refBroadcastShape([1], [2, 3, 4, 5])).toEqual([2, 3, 4, 5]);
    expect(refBroadcastShape([2, 1, 4, 1], [1, 3, 1, 5])).toEqual([2, 3, 4, 5]);
    expect(() => refBroadcastShape([2, 3, 4, 5], [3])).toThrow(/do not broadcast/);
    expect(() => refBroadcastShape([2, 3], [3, 2])).toThrow(RangeError);
  });

  it('hand cases: same shape, per channel [C,1,1] and [1,C,1,1], scalar', () => {
    const x = { data: [1, 2, 3, 4, 5, 6, 7, 8], shape: [1, 2, 2, 2] };
    expect(arr(refAdd(x, x))).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(arr(refAdd(x, { data: [10, 20], shape: [2, 1, 1] }))).toEqual([11, 12, 13, 14, 25, 26, 27, 28]);
    expect(arr(refMul(x, { data: [10, -1], shape: [1, 2, 1, 1] }))).toEqual([10, 20, 30, 40, -5, -6, -7, -8]);
    expect(arr(refSub(x, { data: [1], shape: [] }))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(arr(refSub({ data: [1], shape: [1] }, x))).toEqual([0, -1, -2, -3, -4, -5, -6, -7]);
    // both operands broadcast: [2,1] op [1,3]
    const o = refMul({ data: [1, 2], shape: [2, 1] }, { data: [1, 10, 100], shape: [1, 3] });
    expect(o.shape).toEqual([2, 3]);
    expect(arr(o)).toEqual([1, 10, 100, 2, 20, 200]);
  });

  it('backward: hand cases (gradient summed over the broadcast axes)', () => {
    const dy = { data: [1, 2, 3, 4, 5, 6, 7, 8], shape: [1, 2, 2, 2] };
    const a = refAddBackward(dy, [1, 2, 2, 2], [2, 1, 1]);
    expect(arr(a.da)).toEqual(arr(dy));
    expect(a.db.shape).toEqual([2, 1, 1]);
    expect(arr(a.db)).toEqual([10, 26]);
    const s = refSubBackward(dy, [1, 2, 2, 2], []);
    expect(s.db.shape).toEqual([]);
    expect(arr(s.db)).toEqual([-36]);
    const x = { data: [1, 2, 3, 4, 5, 6, 7, 8], shape: [1, 2, 2, 2] };
    const m = refMulBackward(x, { data: [10, -1], shape: [1, 2, 1, 1] }, { data: new Array(8).fill(1), shape: [1, 2, 2, 2] });
    expect(arr(m.da)).toEqual([10, 10, 10, 10, -1, -1, -1, -1]);
    expect(arr(m.db)).toEqual([10, 26]);
    expect(arr(refReduceTo(dy, [2, 2]))).toEqual([6, 8, 10, 12]);
  });

  it('typed errors', () => {
    expect(() => refAdd({ data: [1, 2], shape: [3] }, { data: [1], shape: [] })).toThrow(/values/);
    expect(() => refAddBackward({ data: [1, 2], shape: [2] }, [3], [1])).toThrow(/dy must be/);
    expect(() => refReduceTo({ data: [1, 2], shape: [2] }, [3, 2])).toThrow(/does not broadcast/);
  });
});

describe('add / sub / mul backward vs central differences', () => {
  const pairs: [number[], number[]][] = [
    [[2, 3, 4, 5], [2, 3, 4, 5]],
    [[2, 3, 4, 5], [3, 1, 1]],
    [[1, 3, 1, 1], [2, 3, 4, 5]],
    [[2, 3, 4, 5], []],
    [[2, 1, 4, 1], [1, 3, 1, 5]],
  ];
  for (const [pi, [sa, sb]] of pairs.entries()) {
    it(`[${sa.join(', ')}] with [${sb.join(', ')}]`, () => {
      const r = rng(1200 + pi);
      const na = sa.reduce((p, q) => p * q, 1);
      const nb = sb.reduce((p, q) => p * q, 1);
      const a = randn(na, r);
      const b = randn(nb, r);
      const out = refBroadcastShape(sa, sb);
      const g = randn(out.reduce((p, q) => p * q, 1), r);
      const dy = { data: g, shape: out };
      const ops = [
        { f: refAdd, back: () => refAddBackward(dy, sa, sb) },
        { f: refSub, back: () => refSubBackward(dy, sa, sb) },
        { f: refMul, back: () => refMulBackward({ data: a, shape: sa }, { data: b, shape: sb }, dy) },
      ];
      for (const op of ops) {
        const { da, db } = op.back();
        expect(da.shape).toEqual(sa);
        expect(db.shape).toEqual(sb);
        const fa = numGrad((v) => dot(op.f({ data: v, shape: sa }, { data: b, shape: sb }).data, g), a);
        const fb = numGrad((v) => dot(op.f({ data: a, shape: sa }, { data: v, shape: sb }).data, g), b);
        expect(relErr(da.data, fa)).toBeLessThan(1e-8);
        expect(relErr(db.data, fb)).toBeLessThan(1e-8);
      }
    });
  }
});
