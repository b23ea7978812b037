// The issue-20 SIMD kernels (elementwise rows, batch norm, average / global average pooling,
// softmax) against the float64 reference, on the edge paths of the f32x4 code: lengths that are
// not multiples of 4 (scalar tails), broadcast strides 0 (splatted operands), strided operands
// (the scalar path), sums longer than one 256-element block, NaN / Inf propagation.
import { describe, expect, it } from 'vitest';
import {
  mulberry32, refAdd, refMul, refSub, refBatchNorm2d, refBatchNorm2dBackward, refBatchStats,
  refGlobalAvgPool2d, refAvgpool2d, refSoftmax, refLogSoftmax, refSoftmaxBackward, refLogSoftmaxBackward,
} from '@convkit/reference';
import { createHeap, instantiateKernelsSync } from './index.js';

const k = instantiateKernelsSync();
const heap = createHeap(k);
const e = k.exports;
const rand = (n: number, r: () => number) => Float32Array.from({ length: n }, () => r() * 2 - 1);

function put(a: ArrayLike<number>): number {
  const p = heap.alloc(Math.max(1, a.length) * 4);
  heap.f32(p, a.length).set(a);
  return p;
}

/** |got - want| <= t + t*|want|, NaN only where NaN is wanted, infinities equal. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, t = 1e-4): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w) || Number.isNaN(g)) expect(Number.isNaN(g) && Number.isNaN(w), `${what}[${i}]: got ${g} want ${w}`).toBe(true);
    else if (!Number.isFinite(w)) expect(g, `${what}[${i}]`).toBe(w);
    else expect(Math.abs(g - w) <= t + t * Math.abs(w), `${what}[${i}]: got ${g} want ${w}`).toBe(true);
  }
}

describe('addRows / subRows / mulRows vs refAdd / refSub / refMul', () => {
  const ops = [
    ['add', e.addRows, refAdd],
    ['sub', e.subRows, refSub],
    ['mul', e.mulRows, refMul],
  ] as const;
  // b's shape against a [m, n]: same shape (strides 1, 1), per row [m, 1] (inner stride 0), per column [1, n] (row stride 0), scalar
  const forms: Array<[string, (m: number, n: number) => number[], (n: number) => [number, number]]> = [
    ['same', (m, n) => [m, n], (n) => [n, 1]],
    ['per-row', (m) => [m, 1], () => [1, 0]],
    ['per-column', (_m, n) => [1, n], () => [0, 1]],
    ['scalar', () => [1, 1], () => [0, 0]],
  ];
  const r = mulberry32(20);
  for (const [name, fn, ref] of ops)
    for (const [form, bShape, bStrides] of forms)
      for (const [m, n] of [[1, 1], [1, 3], [2, 4], [3, 5], [2, 7], [3, 13], [1, 258]] as const) {
        it(`${name} ${form} ${m}x${n}`, () => {
          const av = rand(m * n, r);
          const bs = bShape(m, n);
          const bv = rand(bs[0]! * bs[1]!, r);
          const [ob, sb] = bStrides(n);
          const y = heap.alloc(m * n * 4);
          // a as the broadcast operand too (swap roles): b op a with a in the same form
          fn(put(av), n, 1, put(bv), ob, sb, y, m, n);
          expectClose(heap.f32(y, m * n), ref({ data: av, shape: [m, n] }, { data: bv, shape: bs }).data, 'a op b', 1e-6);
          fn(put(bv), ob, sb, put(av), n, 1, y, m, n);
          expectClose(heap.f32(y, m * n), ref({ data: bv, shape: bs }, { data: av, shape: [m, n] }).data, 'b op a', 1e-6);
        });
      }

  it('strided operands (inner stride 2: the scalar path) match a float64 loop', () => {
    const [m, n] = [3, 9];
    const av = rand(m * 2 * n, r);
    const bv = rand(m * n, r);
    const y = heap.alloc(m * n * 4);
    e.mulRows(put(av), 2 * n, 2, put(bv), n, 1, y, m, n);
    const want = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[i * n + j] = av[i * 2 * n + j * 2]! * bv[i * n + j]!;
    expectClose(heap.f32(y, m * n), want, 'strided', 1e-6);
  });

  it('NaN and Inf propagate in the SIMD lanes and the tails (IEEE float32)', () => {
    const n = 7;
    const av = Float32Array.from([NaN, 1, Infinity, 2, 3, NaN, Infinity]);
    const bv = Float32Array.from([1, NaN, Infinity, -Infinity, 0, 2, 0]);
    const y = heap.alloc(n * 4);
    for (const [fn, ref] of [[e.addRows, refAdd], [e.subRows, refSub], [e.mulRows, refMul]] as const) {
      fn(put(av), n, 1, put(bv), n, 1, y, 1, n);
      expectClose(heap.f32(y, n), ref({ data: av, shape: [n] }, { data: bv, shape: [n] }).data, 'special values');
      // a broadcast NaN / Inf scalar
      fn(put(av), n, 1, put([NaN]), 0, 0, y, 1, n);
      expect([...heap.f32(y, n)].every(Number.isNaN)).toBe(true);
    }
  });
});

describe('batch norm kernels vs refBatchNorm2d / refBatchNorm2dBackward', () => {
  const r = mulberry32(21);
  // P = H*W: 1 (all tail), 3 (< one vector), 25 (tail 1), 323 (two 256 blocks, tail 3)
  for (const [N, C, H, W] of [[4, 2, 1, 1], [1, 3, 1, 3], [2, 3, 5, 5], [3, 2, 17, 19]] as const) {
    it(`[${N}, ${C}, ${H}, ${W}] training forward and backward`, () => {
      const P = H * W;
      const M = N * P;
      const xv = Float32Array.from(rand(N * C * P, r), (v) => 3 + 2 * v); // off-centre: the two-pass variance matters
      const gv = rand(C, r);
      const bv = rand(C, r);
      const dyv = rand(N * C * P, r);
      const x = put(xv);
      const stats = heap.alloc(C * 16);
      e.bnStats(x, N, C, P, 0, C, stats);
      const st = new Float64Array(heap.memory.buffer, stats, 2 * C).slice();
      const ref = refBatchStats({ data: xv, shape: [N, C, H, W] });
      expectClose(Array.from({ length: C }, (_, c) => st[2 * c]!), ref.mean, 'mean', 1e-6);
      expectClose(Array.from({ length: C }, (_, c) => st[2 * c + 1]! / M), ref.varBiased, 'var', 1e-5);
      const eps = 1e-5;
      const mean = put(Array.from({ length: C }, (_, c) => st[2 * c]!));
      const scale = put(Array.from({ length: C }, (_, c) => gv[c]! / Math.sqrt(st[2 * c + 1]! / M + eps)));
      const y = heap.alloc(N * C * P * 4);
      e.bnApply(x, N, C, P, mean, scale, put(bv), 0, C, y);
      const want = refBatchNorm2d({ data: xv, shape: [N, C, H, W] }, { gamma: { data: gv, shape: [C] }, beta: { data: bv, shape: [C] } }, { training: true, eps });
      expectClose(heap.f32(y, N * C * P), want.y.data, 'y');
      // backward: the sums, then dx with the per-channel scalars as backend-wasm computes them
      const dy = put(dyv);
      const sums = heap.alloc(C * 16);
      e.bnBackwardSums(x, dy, N, C, P, mean, 0, C, sums);
      const sm = new Float64Array(heap.memory.buffer, sums, 2 * C).slice();
      const inv = Array.from({ length: C }, (_, c) => 1 / Math.sqrt(st[2 * c + 1]! / M + eps));
      const gb = refBatchNorm2dBackward({ data: xv, shape: [N, C, H, W] }, { data: dyv, shape: [N, C, H, W] }, { data: gv, shape: [C] }, { eps });
      expectClose(Array.from({ length: C }, (_, c) => sm[2 * c]!), gb.dbeta.data, 'dbeta');
      expectClose(Array.from({ length: C }, (_, c) => sm[2 * c + 1]! * inv[c]!), gb.dgamma.data, 'dgamma');
      const kk = put(Array.from({ length: C }, (_, c) => gv[c]! * inv[c]!));
      const mdy = put(Array.from({ length: C }, (_, c) => sm[2 * c]! / M));
      const rr = put(Array.from({ length: C }, (_, c) => (inv[c]! * sm[2 * c + 1]! * inv[c]!) / M));
      const dx = heap.alloc(N * C * P * 4);
      e.bnBackwardApply(x, dy, N, C, P, mean, kk, mdy, rr, 0, C, dx);
      expectClose(heap.f32(dx, N * C * P), gb.dx.data, 'dx');
    });
  }

  it('a NaN in a channel makes that channel NaN (statistics and output), the others stay finite', () => {
    const [N, C, P] = [2, 2, 6];
    const xv = rand(N * C * P, r);
    xv[P + 5] = NaN; // n 0, channel 1, a tail element
    const x = put(xv);
    const stats = heap.alloc(C * 16);
    e.bnStats(x, N, C, P, 0, C, stats);
    const st = new Float64Array(heap.memory.buffer, stats, 2 * C).slice();
    expect(Number.isFinite(st[0]) && Number.isFinite(st[1])).toBe(true);
    expect(Number.isNaN(st[2]) && Number.isNaN(st[3])).toBe(true);
  });
});

describe('globalAvgPlanes vs refGlobalAvgPool2d', () => {
  const r = mulberry32(22);
  for (const [H, W] of [[1, 1], [1, 3], [2, 2], [3, 5], [20, 15], [33, 33]] as const) {
    it(`${H}x${W}`, () => {
      const [N, C] = [2, 3];
      const xv = rand(N * C * H * W, r);
      if (H * W > 4) xv[H * W + 2] = NaN; // plane 1 only
      const y = heap.alloc(N * C * 4);
      e.globalAvgPlanes(put(xv), N * C, H * W, y);
      expectClose(heap.f32(y, N * C), refGlobalAvgPool2d({ data: xv, shape: [N, C, H, W] }).data, 'y');
    });
  }
});

describe('avgpoolPlanes vs refAvgpool2d (divisor: taps inside the image)', () => {
  const r = mulberry32(23);
  /** taps inside [0, n) of output o along one axis */
  const inside = (o: number, s: number, d: number, kk: number, pad: number, n: number) => {
    let c = 0;
    for (let j = 0; j < kk; j++) {
      const t = o * s - pad + j * d;
      if (t >= 0 && t < n) c++;
    }
    return c;
  };
  const out = (n: number, kk: number, s: number, d: number, p0: number, p1: number) => Math.floor((n + p0 + p1 - d * (kk - 1) - 1) / s) + 1;
  // [H, W, kernel, stride, dilation, pads t b l r]
  const cases: Array<[number, number, number, number, number, number[]]> = [
    [7, 9, 3, 1, 1, [1, 1, 1, 1]], // stride 1: SIMD outputs inside, scalar edges, tail
    [6, 13, 3, 1, 1, [0, 0, 0, 0]],
    [8, 8, 2, 2, 1, [0, 0, 0, 0]],
    [9, 11, 3, 2, 1, [1, 1, 1, 1]],
    [10, 10, 3, 1, 2, [2, 2, 2, 2]], // dilation
    [5, 6, 4, 1, 1, [3, 3, 3, 3]], // padding past the image: empty windows are 0/0 = NaN
    [3, 3, 3, 1, 1, [1, 1, 1, 1]],
    [5, 40, 3, 2, 1, [1, 1, 1, 1]], // stride 2: even lanes of two loads per tap, several vectors per row
    [6, 23, 3, 3, 1, [2, 2, 2, 2]], // stride 3: scalar, taps in the zeros around the row
    [6, 37, 2, 2, 1, [0, 0, 0, 0]],
    [7, 30, 3, 2, 2, [1, 1, 1, 1]], // stride 2 with dilation
  ];
  for (const [H, W, kk, s, d, [pt, pb, pl, pr]] of cases) {
    it(`${H}x${W} k${kk} s${s} d${d} pads ${pt},${pb},${pl},${pr}`, () => {
      const [N, C] = [2, 2];
      const oH = out(H, kk, s, d, pt!, pb!);
      const oW = out(W, kk, s, d, pl!, pr!);
      const xv = rand(N * C * H * W, r);
      xv[H * W + W + 1] = NaN; // plane 1
      const div = new Float32Array(oH * oW);
      for (let oy = 0; oy < oH; oy++) for (let ox = 0; ox < oW; ox++) div[oy * oW + ox] = inside(oy, s, d, kk, pt!, H) * inside(ox, s, d, kk, pl!, W);
      const y = heap.alloc(N * C * oH * oW * 4);
      // scratch filled with NaN: the kernel must zero what it reads outside the row
      const tf = e.avgpoolScratchFloats(W, kk, s, d, pl!, oW);
      const tmp = heap.alloc(tf * 4);
      heap.f32(tmp, tf).fill(NaN);
      e.avgpoolPlanes(put(xv), N * C, H, W, kk, kk, s, s, d, d, pt!, pl!, oH, oW, put(div), tmp, y);
      const want = refAvgpool2d({ data: xv, shape: [N, C, H, W] }, { kernel: kk, stride: s, dilation: d, padding: [pt!, pb!, pl!, pr!] });
      expect(want.shape).toEqual([N, C, oH, oW]);
      expectClose(heap.f32(y, N * C * oH * oW), want.data, 'y');
    });
  }
});

describe('softmaxAxis vs refSoftmax / refLogSoftmax', () => {
  const r = mulberry32(24);
  // [shape, axis]: inner 1 (rows, tails), inner 6 (one 4-slice vector + 2 scalar slices), inner 4, inner 3
  const cases: Array<[number[], number]> = [
    [[3, 7], 1],
    [[2, 1], 1],
    [[2, 130], 1],
    [[2, 5, 6], 1],
    [[5, 2, 2], 0],
    [[2, 9, 3], 1],
    [[2, 3001], 1], // sums over several 256 blocks, tail 1
    [[600, 5], 0], // inner 5: one 4-slice vector + 1 scalar slice, len past two blocks
  ];
  for (const [shape, axis] of cases) {
    for (const log of [0, 1]) {
      it(`${log ? 'logSoftmax' : 'softmax'} [${shape.join(', ')}] axis ${axis}`, () => {
        const size = shape.reduce((a, b) => a * b, 1);
        const xv = Float32Array.from(rand(size, r), (v) => 8 * v);
        const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
        const len = shape[axis]!;
        const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
        const y = heap.alloc(size * 4);
        e.softmaxAxis(put(xv), outer, len, inner, y, log);
        const want = (log ? refLogSoftmax : refSoftmax)({ data: xv, shape }, axis);
        expectClose(heap.f32(y, size), want.data, 'y', 2e-6);
        // backward from the kernel's own output (as the backend runs it), against the float64 gradient of that output
        const yv = Float32Array.from(heap.f32(y, size));
        const dyv = rand(size, r);
        const dx = heap.alloc(size * 4);
        e.softmaxAxisBackward(put(yv), put(dyv), outer, len, inner, dx, log);
        const wantDx = (log ? refLogSoftmaxBackward : refSoftmaxBackward)({ data: yv, shape }, { data: dyv, shape }, axis);
        expectClose(heap.f32(dx, size), wantDx.data, 'dx', 1e-4 * Math.max(1, len / 512));
      });
    }
  }

  it('NaN or +Inf in a slice makes that slice NaN; -Inf entries give 0 (softmax) / -Inf (logSoftmax)', () => {
    for (const [shape, axis] of [[[3, 6], 1], [[6, 5], 0]] as Array<[number[], number]>) {
      const size = 18 + (shape[0] === 6 ? 12 : 0);
      const xv = rand(size, r);
      const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const len = shape[axis]!;
      const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      xv[axis === 1 ? 5 : 0] = NaN; // slice 0: a tail element (inner 1) / a SIMD lane (inner 5)
      xv[axis === 1 ? 6 : 4 * inner + 1] = Infinity; // slice 1
      xv[axis === 1 ? 13 : 4] = -Infinity; // slice 2 (inner 1) / slice 4 (the scalar tail slice)
      for (const log of [0, 1]) {
        const y = heap.alloc(size * 4);
        e.softmaxAxis(put(xv), outer, len, inner, y, log);
        const want = (log ? refLogSoftmax : refSoftmax)({ data: xv, shape }, axis);
        expectClose(heap.f32(y, size), want.data, `log ${log} [${shape.join(', ')}]`, 2e-6);
      }
    }
  });
});
