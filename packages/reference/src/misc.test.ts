import { describe, expect, it } from 'vitest';
import {
  compare,
  readMatrix,
  refDense,
  refDenseBackward,
  refGemm,
  refRelu,
  refReluBackward,
  refSgd,
  refSoftmaxCrossEntropy,
  refSoftmaxCrossEntropyBackward,
  writeMatrix,
  type RefTensor,
} from './index.js';
import { dot, randn, rng } from './testutil.js';

describe('compare', () => {
  const tol = { atol: 1e-4, rtol: 1e-4 };
  it('uses |a - e| <= atol + rtol*|e|', () => {
    expect(compare([1.0002], [1], tol).ok).toBe(true); // bound 2e-4
    const r = compare([0, 1.00021, 5], [0, 1, 5], tol);
    expect(r.ok).toBe(false);
    expect(r.mismatches).toBe(1);
    expect(r.worst?.index).toBe(1);
    expect(r.worst?.got).toBe(1.00021);
  });
  it('NaN equals only NaN; infinities only themselves', () => {
    expect(compare([NaN, Infinity, -Infinity], [NaN, Infinity, -Infinity], tol).ok).toBe(true);
    expect(compare([NaN], [0], tol).ok).toBe(false);
    expect(compare([0], [NaN], tol).ok).toBe(false);
    expect(compare([Infinity], [-Infinity], tol).ok).toBe(false);
    expect(compare([1e30], [Infinity], { atol: 1, rtol: 1 }).ok).toBe(false);
  });
  it('length mismatch fails', () => {
    const r = compare([1, 2], [1, 2, 3], tol);
    expect(r.ok).toBe(false);
    expect(r.lengthMismatch).toEqual({ got: 2, expected: 3 });
  });
});

describe('.matrix format', () => {
  it('round-trips and checks the header', () => {
    const data = Float32Array.from([1.5, -2, 3.25, 0, 7, 1e-3]);
    const bytes = writeMatrix({ rows: 2, cols: 3, data });
    expect(bytes.byteLength).toBe(8 + 24);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([2, 0, 0, 0, 3, 0, 0, 0]);
    const m = readMatrix(bytes);
    expect(m.rows).toBe(2);
    expect(m.cols).toBe(3);
    expect(Array.from(m.data)).toEqual(Array.from(data));
    expect(() => readMatrix(bytes.subarray(0, 20))).toThrow(/header/);
  });
});

describe('gemm, dense, relu, softmax cross-entropy, sgd', () => {
  it('gemm transposes, alpha, beta*c and bias', () => {
    const a = { data: [1, 2, 3, 4, 5, 6], shape: [2, 3] }; // [[1,2,3],[4,5,6]]
    const b = { data: [1, 0, 0, 1, 1, 1], shape: [3, 2] };
    expect(Array.from(refGemm(a, b).data)).toEqual([4, 5, 10, 11]);
    const aT = { data: [1, 4, 2, 5, 3, 6], shape: [3, 2] };
    const bT = { data: [1, 0, 1, 0, 1, 1], shape: [2, 3] };
    const c = { data: [1, 1, 1, 1], shape: [2, 2] };
    const bias = { data: [10, 20], shape: [2] };
    expect(Array.from(refGemm(aT, bT, { transA: true, transB: true, alpha: 2, beta: 3, c, bias }).data)).toEqual([21, 33, 33, 45]);
  });

  it('dense backward vs finite differences', () => {
    const r = rng(9);
    const x = { data: randn(12, r), shape: [3, 4] };
    const w = { data: randn(8, r), shape: [4, 2] };
    const R = randn(6, r);
    const g = refDenseBackward(x, w, { data: R, shape: [3, 2] });
    const h = 1e-6;
    for (let i = 0; i < 12; i++) {
      const p = x.data.slice();
      const m = x.data.slice();
      p[i] += h;
      m[i] -= h;
      const fd = (dot(refDense({ data: p, shape: [3, 4] }, w).data, R) - dot(refDense({ data: m, shape: [3, 4] }, w).data, R)) / (2 * h);
      expect(Math.abs(fd - g.dx.data[i]!)).toBeLessThan(1e-7);
    }
    for (let i = 0; i < 8; i++) {
      const p = w.data.slice();
      const m = w.data.slice();
      p[i] += h;
      m[i] -= h;
      const fd = (dot(refDense(x, { data: p, shape: [4, 2] }).data, R) - dot(refDense(x, { data: m, shape: [4, 2] }).data, R)) / (2 * h);
      expect(Math.abs(fd - g.dw.data[i]!)).toBeLessThan(1e-7);
    }
    expect(Array.from(g.db.data)).toEqual([R[0]! + R[2]! + R[4]!, R[1]! + R[3]! + R[5]!]);
  });

  it('relu and its backward', () => {
    expect(Array.from(refRelu({ data: [-1, 0, 2, NaN], shape: [4] }).data)).toEqual([0, 0, 2, NaN]);
    expect(Array.from(refReluBackward({ data: [-1, 0, 2], shape: [3] }, { data: [5, 6, 7], shape: [3] }).data)).toEqual([0, 0, 7]);
  });

  it('softmax cross-entropy: known values, stability, gradient = finite differences of the mean loss', () => {
    const { loss, probs } = refSoftmaxCrossEntropy({ data: [0, 0, 1000, 1000], shape: [2, 2] }, [0, 1]);
    expect(loss.shape).toEqual([]);
    expect(loss.data[0]).toBeCloseTo(Math.log(2), 12);
    expect(Array.from(probs.data)).toEqual([0.5, 0.5, 0.5, 0.5]);
    const r = rng(4);
    const l = randn(12, r).map((v) => v * 3);
    const labels = [2, 0, 3];
    const p = refSoftmaxCrossEntropy({ data: l, shape: [3, 4] }, labels);
    const g = refSoftmaxCrossEntropyBackward(p.probs, labels);
    const h = 1e-6;
    for (let i = 0; i < 12; i++) {
      const a = l.slice();
      const b = l.slice();
      a[i] += h;
      b[i] -= h;
      const fd =
        (refSoftmaxCrossEntropy({ data: a, shape: [3, 4] }, labels).loss.data[0]! -
          refSoftmaxCrossEntropy({ data: b, shape: [3, 4] }, labels).loss.data[0]!) /
        (2 * h);
      expect(Math.abs(fd - g.data[i]!)).toBeLessThan(1e-8);
    }
  });

  it('sgd: 5 steps with momentum and decay match the closed recurrence', () => {
    let w: RefTensor = { data: Float64Array.from([1, -2]), shape: [2] };
    let v: RefTensor = { data: new Float64Array(2), shape: [2] };
    const g = { data: Float64Array.from([0.5, 0.25]), shape: [2] };
    let ew = [1, -2];
    let ev = [0, 0];
    for (let s = 0; s < 5; s++) {
      const r = refSgd(w, g, v, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
      ev = ev.map((vi, i) => 0.9 * vi + g.data[i]! + 0.01 * ew[i]!);
      ew = ew.map((wi, i) => wi - 0.1 * ev[i]!);
      expect(Array.from(r.w.data)).toEqual(ew);
      expect(Array.from(r.v.data)).toEqual(ev);
      expect(r.w.data).not.toBe(w.data);
      w = r.w;
      v = r.v;
    }
    // first step by hand: v = 0.5 + 0.01 = 0.51, w = 1 - 0.051
    expect(refSgd({ data: [1], shape: [1] }, { data: [0.5], shape: [1] }, { data: [0], shape: [1] }, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }).w.data[0]).toBeCloseTo(0.949, 14);
  });
});

describe('loadUwnet / findUwnetDir', () => {
  it('CONVKIT_SHARED overrides the search; a missing directory gives null', async () => {
    const { findUwnetDir, loadUwnet, resetUwnetCache } = await import('./index.js');
    const saved = process.env.CONVKIT_SHARED;
    try {
      process.env.CONVKIT_SHARED = '/nonexistent-convkit-shared';
      resetUwnetCache();
      expect(findUwnetDir()).toBeNull();
      expect(loadUwnet('conv_x')).toBeNull();
      const real = (() => {
        delete process.env.CONVKIT_SHARED;
        resetUwnetCache();
        return findUwnetDir();
      })();
      if (real) {
        process.env.CONVKIT_SHARED = real.replace(/\/golden\/uwnet$/, '');
        resetUwnetCache();
        expect(findUwnetDir()).toBe(real);
        const m = loadUwnet('conv_b.matrix');
        expect(m && [m.rows, m.cols]).toEqual([1, 8]);
        expect(loadUwnet('no_such_file')).toBeNull();
      }
    } finally {
      if (saved === undefined) delete process.env.CONVKIT_SHARED;
      else process.env.CONVKIT_SHARED = saved;
      resetUwnetCache();
    }
  });
});
