import { describe, expect, it } from 'vitest';
import { refBatchNorm2d, refBatchNorm2dBackward, refBatchStats } from './index.js';
import { dot, numGrad, randn, relErr, rng } from './testutil.js';

const arr = (t: { data: ArrayLike<number> }) => Array.from(t.data);
const close = (a: ArrayLike<number>, b: number[], digits = 12) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i]!, digits);
};
const vec = (data: number[]) => ({ data, shape: [data.length] });

describe('batchNorm2d: hand-computed cases', () => {
  // one channel, N = 2, H = 1, W = 2: M = 4 values 1, 2, 3, 4
  const x = { data: [1, 2, 3, 4], shape: [2, 1, 1, 2] };

  it('batch statistics: mean, biased and unbiased variance', () => {
    const s = refBatchStats(x);
    expect(s.M).toBe(4);
    expect(s.mean[0]).toBe(2.5);
    expect(s.varBiased[0]).toBe(1.25);
    expect(s.varUnbiased[0]).toBeCloseTo(5 / 3, 14);
  });

  it('training normalises with the biased variance; gamma, beta', () => {
    const r = refBatchNorm2d(x, { gamma: vec([2]), beta: vec([1]) }, { training: true, eps: 0 });
    const sd = Math.sqrt(1.25);
    close(r.y.data, [1, 2, 3, 4].map((v) => (2 * (v - 2.5)) / sd + 1));
    expect(r.runningMean).toBeNull();
    expect(arr(r.mean)).toEqual([2.5]);
    expect(arr(r.var)).toEqual([1.25]);
  });

  it("running statistics over two steps, PyTorch rule (unbiased var, m = 0.1)", () => {
    let rm = vec([0]);
    let rv = vec([1]);
    const s1 = refBatchNorm2d(x, { runningMean: rm, runningVar: rv }, { training: true });
    close(s1.runningMean!.data, [0.25]); // 0.9*0 + 0.1*2.5
    close(s1.runningVar!.data, [0.9 + 0.1 * (5 / 3)]); // 1.0666...
    rm = { data: Array.from(s1.runningMean!.data), shape: [1] };
    rv = { data: Array.from(s1.runningVar!.data), shape: [1] };
    const s2 = refBatchNorm2d({ data: [0, 0, 2, 2], shape: [2, 1, 1, 2] }, { runningMean: rm, runningVar: rv }, { training: true });
    close(s2.runningMean!.data, [0.325]); // 0.9*0.25 + 0.1*1
    close(s2.runningVar!.data, [0.9 * (0.9 + 0.1 * (5 / 3)) + 0.1 * (4 / 3)]); // 1.09333...
    // inputs are not modified
    expect(rm.data).toEqual([0.25]);
  });

  it("ONNX rule: running = m*running + (1 - m)*batch with the biased variance, m default 0.9", () => {
    const s = refBatchNorm2d(x, { runningMean: vec([0]), runningVar: vec([1]) }, { training: true, momentumMode: 'onnx' });
    close(s.runningMean!.data, [0.25]);
    close(s.runningVar!.data, [0.9 + 0.1 * 1.25]); // 1.025
    const s2 = refBatchNorm2d(x, { runningMean: vec([1]), runningVar: vec([1]) }, { training: true, momentumMode: 'onnx', momentum: 0.5 });
    close(s2.runningMean!.data, [1.75]);
    close(s2.runningVar!.data, [1.125]);
    // the same weighting expressed in each convention gives the same running mean
    const p = refBatchNorm2d(x, { runningMean: vec([1]), runningVar: vec([1]) }, { training: true, momentum: 0.5 });
    close(p.runningMean!.data, [1.75]);
    close(p.runningVar!.data, [0.5 + 0.5 * (5 / 3)]);
  });

  it('inference uses the running statistics; affine off is gamma 1, beta 0', () => {
    const xi = { data: [1, 2, 3, 5], shape: [1, 2, 1, 2] };
    const p = { runningMean: vec([0, 1]), runningVar: vec([1, 4]) };
    const r = refBatchNorm2d(xi, { ...p, gamma: vec([3, 2]), beta: vec([0, 1]) }, { eps: 0 });
    close(r.y.data, [3, 6, 3, 5]); // ch1: 2*(3-1)/2 + 1, 2*(5-1)/2 + 1
    close(refBatchNorm2d(xi, p, { eps: 0 }).y.data, [1, 2, 1, 2]);
    // eps default 1e-5
    close(refBatchNorm2d(xi, p).y.data, [1 / Math.sqrt(1 + 1e-5), 2 / Math.sqrt(1 + 1e-5), 2 / Math.sqrt(4 + 1e-5), 4 / Math.sqrt(4 + 1e-5)]);
    expect(arr(r.runningMean!)).toEqual([0, 1]);
  });

  it('training output per channel: mean beta, biased variance gamma^2 * var/(var + eps)', () => {
    const r0 = rng(5);
    const shape = [3, 4, 5, 2];
    const xs = { data: randn(120, r0).map((v) => 3 * v + 1), shape };
    const gamma = vec([1, -2, 0.5, 3]);
    const beta = vec([0, 1, -1, 2]);
    const eps = 1e-3;
    const r = refBatchNorm2d(xs, { gamma, beta }, { training: true, eps });
    const sx = refBatchStats(xs);
    const sy = refBatchStats(r.y);
    for (let c = 0; c < 4; c++) {
      expect(sy.mean[c]).toBeCloseTo(beta.data[c]!, 12);
      expect(sy.varBiased[c]).toBeCloseTo((gamma.data[c]! ** 2 * sx.varBiased[c]!) / (sx.varBiased[c]! + eps), 12);
    }
  });

  it('typed errors', () => {
    expect(() => refBatchNorm2d(x)).toThrow(/inference mode needs/);
    expect(() => refBatchNorm2d({ data: [1], shape: [1, 1, 1, 1] }, {}, { training: true })).toThrow(/more than 1 value/);
    expect(() => refBatchNorm2d(x, { gamma: vec([1, 2]) }, { training: true })).toThrow(/gamma/);
    expect(() => refBatchNorm2d(x, { runningMean: vec([0]) }, { training: true })).toThrow(/go together/);
    expect(() => refBatchNorm2d(x, {}, { training: true, momentum: 2 })).toThrow(/momentum/);
    expect(() => refBatchNorm2d(x, {}, { training: true, eps: -1 })).toThrow(/eps/);
    expect(() => refBatchNorm2d(x, {}, { training: true, momentumMode: 'keras' as 'onnx' })).toThrow(/momentumMode/);
    expect(() => refBatchNorm2dBackward(x, { data: [1, 2], shape: [1, 1, 1, 2] })).toThrow(/dy must be/);
  });
});

describe('batchNorm2d backward (training) vs central differences', () => {
  for (const [ci, cfg] of [
    { shape: [2, 3, 4, 3], affine: true, eps: 1e-5 },
    { shape: [4, 2, 1, 1], affine: true, eps: 1e-3 },
    { shape: [1, 2, 3, 5], affine: false, eps: 1e-5 },
  ].entries()) {
    it(`config ${ci}: [${cfg.shape.join(', ')}] affine ${cfg.affine}`, () => {
      const r = rng(900 + ci);
      const n = cfg.shape.reduce((a, b) => a * b, 1);
      const C = cfg.shape[1]!;
      const xs = randn(n, r);
      const gamma = cfg.affine ? randn(C, r).map((v) => v + 1.5) : null;
      const beta = cfg.affine ? randn(C, r) : null;
      const g = randn(n, r);
      const o = { training: true, eps: cfg.eps };
      const loss = (xv: Float64Array, gv: Float64Array | null, bv: Float64Array | null) =>
        dot(
          refBatchNorm2d(
            { data: xv, shape: cfg.shape },
            { gamma: gv ? { data: gv, shape: [C] } : null, beta: bv ? { data: bv, shape: [C] } : null },
            o,
          ).y.data,
          g,
        );
      const b = refBatchNorm2dBackward({ data: xs, shape: cfg.shape }, { data: g, shape: cfg.shape }, gamma ? { data: gamma, shape: [C] } : null, o);
      expect(relErr(b.dx.data, numGrad((v) => loss(v, gamma, beta), xs, 1e-5))).toBeLessThan(1e-7);
      const gref = gamma ?? new Float64Array(C).fill(1);
      const bref = beta ?? new Float64Array(C);
      expect(relErr(b.dgamma.data, numGrad((v) => loss(xs, v, bref), Float64Array.from(gref)))).toBeLessThan(1e-8);
      expect(relErr(b.dbeta.data, numGrad((v) => loss(xs, gref, v), Float64Array.from(bref)))).toBeLessThan(1e-8);
    });
  }
});
