import { describe, expect, it } from 'vitest';
import {
  compare,
  readMatrix,
  refCol2im,
  refConv1d,
  refConv1dBackward,
  refConv2d,
  refConv2dBackward,
  refDense,
  refDenseBackward,
  refGemm,
  refIm2col,
  refMaxpool2d,
  refMaxpool2dBackward,
  refRelu,
  refReluBackward,
  refSgd,
  refSoftmaxCrossEntropy,
  refSoftmaxCrossEntropyBackward,
  writeMatrix,
  type ConvOptions,
  type PadMode,
} from './index.js';
import { dot, randn, rng } from './testutil.js';

const MODES: PadMode[] = ['zeros', 'replicate', 'circular', 'reflect'];

describe('im2col / col2im adjointness: <im2col(x), c> == <x, col2im(c)>', () => {
  const configs: { shape: [number, number, number, number]; o: Parameters<typeof refIm2col>[1] }[] = [
    { shape: [2, 3, 7, 6], o: { kernel: 3 } },
    { shape: [1, 2, 8, 9], o: { kernel: [2, 4], stride: [2, 3] } },
    { shape: [2, 1, 9, 7], o: { kernel: 3, dilation: 2, stride: 2 } },
    { shape: [1, 2, 5, 6], o: { kernel: [3, 2], padding: [2, 1, 1, 2] } },
    { shape: [1, 1, 4, 4], o: { kernel: 5, padding: 'same', stride: 1 } },
    { shape: [1, 2, 6, 5], o: { kernel: 4, padding: 'valid', stride: 1 } },
  ];
  for (const mode of MODES) {
    for (const [ci, cfg] of configs.entries()) {
      it(`${mode} config ${ci}`, () => {
        const r = rng(100 + ci);
        const n = cfg.shape.reduce((a, b) => a * b, 1);
        const x = { data: randn(n, r), shape: cfg.shape };
        const cols = refIm2col(x, { ...cfg.o, padMode: mode });
        const c = { data: randn(cols.data.length, r), shape: cols.shape };
        const back = refCol2im(c, { ...cfg.o, padMode: mode, inputShape: cfg.shape });
        const lhs = dot(cols.data, c.data);
        const rhs = dot(x.data, back.data);
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * (1 + Math.abs(lhs)));
        // and not trivially: the map must actually move data
        expect(Math.abs(lhs)).toBeGreaterThan(1e-6);
      });
    }
  }
});

describe('conv2d forward agrees with W * im2col(x) + b (the contract formula)', () => {
  for (const [i, o] of ([
    { padding: 'same' },
    { stride: 2, dilation: 2, padMode: 'reflect' },
    { stride: [1, 2], padding: [1, 0, 2, 1], padMode: 'circular' },
    { padMode: 'replicate', padding: 'same', stride: 3 },
  ] as ConvOptions[]).entries()) {
    it(`config ${i}`, () => {
      const r = rng(7 + i);
      const x = { data: randn(2 * 3 * 7 * 8, r), shape: [2, 3, 7, 8] };
      const w = { data: randn(4 * 3 * 3 * 3, r), shape: [4, 3, 3, 3] };
      const b = { data: randn(4, r), shape: [4] };
      const y = refConv2d(x, w, b, o);
      const cols = refIm2col(x, { kernel: 3, stride: o.stride, padding: o.padding, dilation: o.dilation, padMode: o.padMode });
      const [N, , P] = [cols.shape[0]!, cols.shape[1]!, cols.shape[2]!];
      for (let n = 0; n < N; n++) {
        const cn = { data: cols.data.subarray(n * 27 * P, (n + 1) * 27 * P), shape: [27, P] };
        const g = refGemm({ data: w.data, shape: [4, 27] }, cn);
        for (let k = 0; k < 4; k++)
          for (let p = 0; p < P; p++) expect(y.data[(n * 4 + k) * P + p]).toBeCloseTo(g.data[k * P + p]! + b.data[k]!, 10);
      }
    });
  }
});

function fdCheck(name: string, o: ConvOptions, xs: [number, number, number, number], ws: [number, number, number, number], seed: number) {
  it(name, () => {
    const r = rng(seed);
    const nx = xs.reduce((a, b) => a * b, 1);
    const nw = ws.reduce((a, b) => a * b, 1);
    const x = { data: randn(nx, r), shape: xs };
    const w = { data: randn(nw, r), shape: ws };
    const b = { data: randn(ws[0], r), shape: [ws[0]] };
    const y0 = refConv2d(x, w, b, o);
    const R = randn(y0.data.length, r); // L = <y, R>
    const loss = (xx: Float64Array, ww: Float64Array, bb: Float64Array) =>
      dot(refConv2d({ data: xx, shape: xs }, { data: ww, shape: ws }, { data: bb, shape: [ws[0]] }, o).data, R);
    const g = refConv2dBackward(x, w, { data: R, shape: y0.shape }, o);
    const h = 1e-6;
    const fd = (arr: Float64Array, which: 0 | 1 | 2, i: number) => {
      const p = arr.slice();
      const m = arr.slice();
      p[i] += h;
      m[i] -= h;
      const args = (v: Float64Array): [Float64Array, Float64Array, Float64Array] =>
        which === 0 ? [v, w.data, b.data] : which === 1 ? [x.data, v, b.data] : [x.data, w.data, v];
      return (loss(...args(p)) - loss(...args(m))) / (2 * h);
    };
    for (let i = 0; i < nx; i++) expect(Math.abs(fd(x.data, 0, i) - g.dx.data[i]!), `dx[${i}]`).toBeLessThan(1e-6);
    for (let i = 0; i < nw; i++) expect(Math.abs(fd(w.data, 1, i) - g.dw.data[i]!), `dw[${i}]`).toBeLessThan(1e-6);
    for (let i = 0; i < ws[0]; i++) expect(Math.abs(fd(b.data, 2, i) - g.db.data[i]!), `db[${i}]`).toBeLessThan(1e-6);
  });
}

describe('conv2d backward vs central finite differences (float64)', () => {
  for (const mode of MODES) {
    fdCheck(`${mode}, same, stride 1`, { padMode: mode }, [2, 2, 5, 4], [3, 2, 3, 3], 11);
    fdCheck(`${mode}, stride 2, dilation 2, non-square kernel`, { padMode: mode, stride: 2, dilation: [2, 1] }, [1, 2, 6, 7], [2, 2, 3, 2], 12);
  }
  fdCheck('groups 2, flip, explicit padding', { groups: 2, flip: true, padding: [1, 2, 0, 1] }, [1, 4, 5, 5], [4, 2, 2, 3], 13);
  fdCheck('depthwise (groups = C), stride 3, valid', { groups: 3, stride: 3, padding: 'valid' }, [2, 3, 7, 8], [6, 1, 3, 3], 14);
  fdCheck('kernel larger than image with padding', { padding: [3, 3, 2, 2] }, [1, 1, 3, 2], [2, 1, 5, 4], 15);
});

describe('conv1d', () => {
  it('equals conv2d with H = 1 and its backward', () => {
    const r = rng(3);
    const x = { data: randn(2 * 3 * 11, r), shape: [2, 3, 11] };
    const w = { data: randn(4 * 3 * 4, r), shape: [4, 3, 4] };
    const o = { stride: 2, dilation: 2, padding: [2, 1] as const, padMode: 'reflect' as const };
    const y = refConv1d(x, w, null, o);
    const y2 = refConv2d({ data: x.data, shape: [2, 3, 1, 11] }, { data: w.data, shape: [4, 3, 1, 4] }, null, {
      stride: [1, 2],
      dilation: [1, 2],
      padding: [0, 0, 2, 1],
      padMode: 'reflect',
    });
    expect(y.shape).toEqual([2, 4, y2.shape[3]]);
    expect(Array.from(y.data)).toEqual(Array.from(y2.data));
    const g = refConv1dBackward(x, w, { data: randn(y.data.length, r), shape: y.shape }, o);
    expect(g.dx.shape).toEqual([2, 3, 11]);
    expect(g.dw.shape).toEqual([4, 3, 4]);
  });
});

describe('maxpool rules', () => {
  it('ties go to the first maximum in row-major scan; indices are flat into the whole input', () => {
    const x = { data: [1, 5, 5, 2, 5, 0, 3, 3, /* second channel */ 0, 0, 0, 0, 0, 0, 0, 0], shape: [1, 2, 2, 4] };
    const { y, indices } = refMaxpool2d(x, { kernel: 2, padding: 'valid' });
    expect(Array.from(y.data)).toEqual([5, 5, 0, 0]);
    expect(Array.from(indices.data)).toEqual([1, 2, 8, 10]);
  });

  it('all-negative windows, and outside positions skipped (never padded with 0)', () => {
    const x = { data: [-3, -2, -1, -4, -5, -6, -7, -8, -9], shape: [1, 1, 3, 3] };
    const { y, indices } = refMaxpool2d(x, { kernel: 3, stride: 2 }); // 'same': window starts at -1
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([-2, -1, -4, -5]);
    expect(Array.from(indices.data)).toEqual([1, 2, 3, 4]);
  });

  it('NaN propagates; its index is the last NaN of the window in scan order (PyTorch)', () => {
    const x = { data: [NaN, 1, NaN, NaN, /**/ 2, NaN, 4, 9], shape: [1, 1, 2, 4] };
    const { y, indices } = refMaxpool2d(x, { kernel: 2, padding: 'valid' });
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(Number.isNaN(y.data[1])).toBe(true);
    expect(Array.from(indices.data)).toEqual([5, 3]);
  });

  it('ceil mode and overlapping-window backward', () => {
    const r = rng(5);
    const x = { data: randn(1 * 1 * 5 * 5, r), shape: [1, 1, 5, 5] };
    const { y, indices } = refMaxpool2d(x, { kernel: 3, stride: 2, padding: 'valid', ceilMode: true });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    const { y: y2 } = refMaxpool2d(x, { kernel: 2, stride: 2, padding: 'valid', ceilMode: true });
    expect(y2.shape).toEqual([1, 1, 3, 3]);
    const dx = refMaxpool2dBackward({ data: [1, 2, 3, 4], shape: y.shape }, indices, x.shape);
    let total = 0;
    for (const v of dx.data) total += v;
    expect(total).toBe(10);
    for (let o = 0; o < 4; o++) expect(x.data[indices.data[o]!]).toBe(y.data[o]);
  });
});
