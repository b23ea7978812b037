import { describe, expect, it } from 'vitest';
import {
  refAvgpool1d,
  refAvgpool1dBackward,
  refAvgpool2d,
  refAvgpool2dBackward,
  refGlobalAvgPool2d,
  refGlobalAvgPool2dBackward,
  refGlobalMaxPool2d,
  refGlobalMaxPool2dBackward,
  refMaxpool1d,
  refMaxpool1dBackward,
  refMaxpool2d,
  refMaxpool2dBackward,
  type AvgPoolOptions,
  type MaxPoolOptions,
} from './index.js';
import { dot, numGrad, randn, relErr, rng } from './testutil.js';

const t1 = (data: number[]) => ({ data, shape: [1, 1, data.length] });
const arr = (t: { data: ArrayLike<number> }) => Array.from(t.data);

describe('avgpool2d / avgpool1d: hand-computed cases', () => {
  it('2x2 stride 2 valid on 1..16', () => {
    const x = { data: Array.from({ length: 16 }, (_, i) => i + 1), shape: [1, 1, 4, 4] };
    const y = refAvgpool2d(x, { kernel: 2, padding: 'valid' });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(arr(y)).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  it('explicit pads: countIncludePad off divides by in-image taps, on by the whole padded window', () => {
    const x = { data: [1, 2, 3, 4], shape: [1, 1, 2, 2] };
    const o: AvgPoolOptions = { kernel: 2, stride: 1, padding: [1, 1, 1, 1] };
    expect(arr(refAvgpool2d(x, o))).toEqual([1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]);
    expect(arr(refAvgpool2d(x, { ...o, countIncludePad: true }))).toEqual([0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1]);
  });

  it('asymmetric pads count only the side that has them', () => {
    const x = { data: [1, 1, 1, 1], shape: [1, 1, 2, 2] };
    // bottom/right only (the onnxruntime #26708 case): [[1, 0.5], [0.5, 0.25]]
    expect(arr(refAvgpool2d(x, { kernel: 2, stride: 1, padding: [0, 1, 0, 1], countIncludePad: true }))).toEqual([1, 0.5, 0.5, 0.25]);
    expect(arr(refAvgpool2d(x, { kernel: 2, stride: 1, padding: [0, 1, 0, 1] }))).toEqual([1, 1, 1, 1]);
  });

  it('ceil mode: the extra window; with countIncludePad its overhang beyond the padded input is not counted', () => {
    const x = t1([1, 2, 3, 4, 5]);
    expect(arr(refAvgpool1d(x, { kernel: 2, stride: 2, padding: 'valid' }))).toEqual([1.5, 3.5]);
    // ONNX/PyTorch/onnxruntime: [1.5, 3.5, 5] (not 2.5: the tap past the input is not padding)
    expect(arr(refAvgpool1d(x, { kernel: 2, stride: 2, padding: 'valid', ceilMode: true }))).toEqual([1.5, 3.5, 5]);
    expect(arr(refAvgpool1d(x, { kernel: 2, stride: 2, padding: 'valid', ceilMode: true, countIncludePad: true }))).toEqual([1.5, 3.5, 5]);
    // pads 1, kernel 3, stride 2: windows start at -1, 1, 3; the last covers 3, 4 (in) and 5 (right pad)
    expect(arr(refAvgpool1d(x, { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true }))).toEqual([1, 3, 3]);
    expect(arr(refAvgpool1d(x, { kernel: 3, stride: 2, padding: 1, ceilMode: true }))).toEqual([1.5, 3, 4.5]);
  });

  it('ceil mode: overhang >= 2 keeps the windows where they are (not onnx-reference\'s shifted padding)', () => {
    const x = t1([1, 2, 3, 4]);
    expect(arr(refAvgpool1d(x, { kernel: 3, stride: 3, padding: 'valid', ceilMode: true }))).toEqual([2, 4]);
    expect(arr(refAvgpool1d(x, { kernel: 3, stride: 3, padding: 'valid', ceilMode: true, countIncludePad: true }))).toEqual([2, 4]);
  });

  it('ceil mode: a window that would start in the right padding is dropped', () => {
    const x = t1([1, 2, 3, 4]);
    // num = 4 + 1 - 2 = 3, ceil(3/2) + 1 = 3, but window 2 would start at 4 (the pad): 2 outputs
    const y = refAvgpool1d(x, { kernel: 2, stride: 2, padding: [0, 1], ceilMode: true, countIncludePad: true });
    expect(y.shape).toEqual([1, 1, 2]);
    expect(arr(y)).toEqual([1.5, 3.5]);
  });

  it("dilation and 'same' (even kernel: the after-padding is counted when countIncludePad)", () => {
    expect(arr(refAvgpool1d(t1([1, 2, 3, 4, 5]), { kernel: 2, stride: 1, dilation: 2, padding: 'valid' }))).toEqual([2, 3, 4]);
    expect(arr(refAvgpool1d(t1([1, 2, 3]), { kernel: 2, stride: 1, padding: 'same' }))).toEqual([1.5, 2.5, 3]);
    expect(arr(refAvgpool1d(t1([1, 2, 3]), { kernel: 2, stride: 1, padding: 'same', countIncludePad: true }))).toEqual([1.5, 2.5, 1.5]);
    // 'same' k = 3: window centred, both sides padded by 1
    expect(arr(refAvgpool1d(t1([3, 6, 9]), { kernel: 3, stride: 1 }))).toEqual([4.5, 6, 7.5]);
    expect(arr(refAvgpool1d(t1([3, 6, 9]), { kernel: 3, stride: 1, countIncludePad: true }))).toEqual([3, 6, 5]);
  });

  it('defaults: stride = kernel, padding same', () => {
    const x = { data: Array.from({ length: 16 }, (_, i) => i + 1), shape: [1, 1, 4, 4] };
    expect(arr(refAvgpool2d(x, { kernel: 2 }))).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  it('NaN makes its windows NaN; a window entirely in padding is 0/0 = NaN and gets no gradient', () => {
    const y = refAvgpool1d(t1([1, NaN, 3, 4]), { kernel: 2, stride: 2, padding: 'valid' });
    expect(Number.isNaN(y.data[0]!)).toBe(true);
    expect(y.data[1]).toBe(3.5);
    const e = refAvgpool1d(t1([1, 2]), { kernel: 1, stride: 1, padding: [1, 0] });
    expect(Number.isNaN(e.data[0]!)).toBe(true);
    expect(arr(e).slice(1)).toEqual([1, 2]);
    expect(arr(refAvgpool1dBackward(t1([5, 1, 1]), [1, 1, 2], { kernel: 1, stride: 1, padding: [1, 0] }))).toEqual([1, 1]);
  });

  it('backward: hand case (overlapping windows add)', () => {
    // k 2 s 1 valid on length 3: windows [0,1], [1,2]; dy = [2, 4] -> dx = [1, 1 + 2, 2]
    expect(arr(refAvgpool1dBackward(t1([2, 4]), [1, 1, 3], { kernel: 2, stride: 1, padding: 'valid' }))).toEqual([1, 3, 2]);
    // ceil + countIncludePad: last window [4] divides by 1
    expect(arr(refAvgpool1dBackward(t1([2, 2, 2]), [1, 1, 5], { kernel: 2, stride: 2, padding: 'valid', ceilMode: true, countIncludePad: true }))).toEqual([1, 1, 1, 1, 2]);
  });

  it('typed errors before any work', () => {
    const x = { data: [1, 2, 3, 4], shape: [1, 1, 2, 2] };
    expect(() => refAvgpool2d(x, { kernel: 0 })).toThrow(RangeError);
    expect(() => refAvgpool2d(x, { kernel: 2, stride: 1.5 })).toThrow(/stride/);
    expect(() => refAvgpool2d(x, { kernel: 2, padding: [-1, 0, 0, 0] })).toThrow(/padding/);
    expect(() => refAvgpool2d({ data: [1, 2, 3], shape: [1, 1, 2, 2] }, { kernel: 2 })).toThrow(/values/);
    expect(() => refAvgpool2dBackward({ data: [1], shape: [1, 1, 1, 1] }, [1, 1, 4, 4], { kernel: 2 })).toThrow(/dy must be/);
    expect(() => refAvgpool1d(x, { kernel: 2 })).toThrow(/rank 3/);
  });
});

const avgConfigs: { shape: [number, number, number, number]; o: AvgPoolOptions }[] = [
  { shape: [2, 3, 7, 6], o: { kernel: 3, stride: 2, padding: 'valid' } },
  { shape: [1, 2, 7, 8], o: { kernel: [3, 2], stride: [2, 3], padding: [1, 1, 0, 1], ceilMode: true, countIncludePad: true } },
  { shape: [1, 2, 7, 8], o: { kernel: [3, 2], stride: [2, 3], padding: [1, 1, 0, 1], ceilMode: true } },
  { shape: [2, 1, 9, 7], o: { kernel: 3, dilation: 2, stride: 2, padding: [2, 1, 1, 2], countIncludePad: true, ceilMode: true } },
  { shape: [1, 2, 5, 6], o: { kernel: 4, stride: 3, padding: 'same', countIncludePad: true } },
  { shape: [1, 1, 6, 5], o: { kernel: 3, stride: 1 } },
];

describe('avgpool2d backward: adjoint of the forward (it is linear) and central differences', () => {
  for (const [ci, cfg] of avgConfigs.entries()) {
    it(`config ${ci}: ${JSON.stringify(cfg.o)}`, () => {
      const r = rng(300 + ci);
      const n = cfg.shape.reduce((a, b) => a * b, 1);
      const x = randn(n, r);
      const y = refAvgpool2d({ data: x, shape: cfg.shape }, cfg.o);
      const g = randn(y.data.length, r);
      const dx = refAvgpool2dBackward({ data: g, shape: y.shape }, cfg.shape, cfg.o);
      const lhs = dot(y.data, g);
      expect(Math.abs(lhs - dot(x, dx.data))).toBeLessThan(1e-12 * (1 + Math.abs(lhs)));
      const fd = numGrad((v) => dot(refAvgpool2d({ data: v, shape: cfg.shape }, cfg.o).data, g), x);
      expect(relErr(dx.data, fd)).toBeLessThan(1e-8);
    });
  }
});

describe('maxpool2d with dilation, maxpool1d', () => {
  it('1-D hand case: dilation 2 reads x[o], x[o + 2]', () => {
    const r = refMaxpool1d(t1([1, 5, 2, 4, 3]), { kernel: 2, stride: 1, dilation: 2, padding: 'valid' });
    expect(arr(r.y)).toEqual([2, 5, 3]);
    expect(arr(r.indices)).toEqual([2, 1, 4]);
  });

  it("2-D hand case: 3x3 dilation 2 on 5x5 valid is the max of the 9 even-offset pixels; 'same' centres it", () => {
    const x = { data: Array.from({ length: 25 }, (_, i) => (i * 7) % 25), shape: [1, 1, 5, 5] };
    const r = refMaxpool2d(x, { kernel: 3, stride: 1, dilation: 2, padding: 'valid' });
    expect(r.y.shape).toEqual([1, 1, 1, 1]);
    const taps = [0, 2, 4, 10, 12, 14, 20, 22, 24];
    const best = Math.max(...taps.map((i) => x.data[i]!));
    expect(r.y.data[0]).toBe(best);
    expect(r.indices.data[0]).toBe(taps.find((i) => x.data[i] === best));
    // 'same': top = floor(2*2/2) = 2, out 5x5; output (2,2) is the valid window above
    const s = refMaxpool2d(x, { kernel: 3, stride: 1, dilation: 2 });
    expect(s.y.shape).toEqual([1, 1, 5, 5]);
    expect(s.y.data[12]).toBe(best);
    // output (0,0) reads rows/cols {-2, 0, 2}: pixels (0,0), (0,2), (2,0), (2,2)
    expect(s.y.data[0]).toBe(Math.max(x.data[0]!, x.data[2]!, x.data[10]!, x.data[12]!));
  });

  it('dilation keeps the tie (first in scan order) and NaN rules', () => {
    const tie = refMaxpool1d(t1([7, 0, 7, 0, 7]), { kernel: 3, stride: 1, dilation: 2, padding: 'valid' });
    expect(arr(tie.indices)).toEqual([0]);
    const nan = refMaxpool1d(t1([1, 9, NaN, 9, NaN]), { kernel: 3, stride: 1, dilation: 2, padding: 'valid' });
    expect(Number.isNaN(nan.y.data[0]!)).toBe(true);
    expect(arr(nan.indices)).toEqual([4]);
  });

  it('ceil mode with dilation', () => {
    // in 6, k 2, d 2 (extent 3), s 2: floor (6-3)/2+1 = 2; ceil 3, the last window reads x[4] only
    const x = t1([1, 2, 3, 4, 5, 6]);
    expect(arr(refMaxpool1d(x, { kernel: 2, stride: 2, dilation: 2, padding: 'valid' }).y)).toEqual([3, 5]);
    expect(arr(refMaxpool1d(x, { kernel: 2, stride: 2, dilation: 2, padding: 'valid', ceilMode: true }).y)).toEqual([3, 5, 5]);
  });

  it('maxpool1d defaults (stride = kernel, same) and backward adds overlapping windows', () => {
    const r = refMaxpool1d(t1([3, 1, 4, 1, 5]), { kernel: 2 });
    expect(arr(r.y)).toEqual([3, 4, 5]);
    const o = refMaxpool1d(t1([3, 9, 4]), { kernel: 2, stride: 1, padding: 'valid' });
    expect(arr(o.indices)).toEqual([1, 1]);
    expect(arr(refMaxpool1dBackward({ data: [1, 2], shape: [1, 1, 2] }, o.indices, [1, 1, 3]))).toEqual([0, 3, 0]);
  });

  it('1-D is the 2-D op with H = 1 (indices flat into [N, C, L])', () => {
    const r0 = rng(41);
    const x = randn(2 * 3 * 11, r0);
    const a = refMaxpool1d({ data: x, shape: [2, 3, 11] }, { kernel: 3, stride: 2, dilation: 2, padding: [2, 1], ceilMode: true });
    const b = refMaxpool2d({ data: x, shape: [2, 3, 1, 11] }, { kernel: [1, 3], stride: [1, 2], dilation: [1, 2], padding: [0, 0, 2, 1], ceilMode: true });
    expect(arr(a.y)).toEqual(arr(b.y));
    expect(arr(a.indices)).toEqual(arr(b.indices));
  });

  const maxConfigs: { shape: [number, number, number, number]; o: MaxPoolOptions }[] = [
    { shape: [2, 2, 9, 8], o: { kernel: 3, stride: 2, dilation: 2, padding: 'valid' } },
    { shape: [1, 3, 7, 7], o: { kernel: [2, 3], stride: [1, 2], dilation: [2, 1], padding: [1, 2, 0, 1], ceilMode: true } },
    { shape: [1, 2, 6, 6], o: { kernel: 3, stride: 1, dilation: 2 } },
  ];
  for (const [ci, cfg] of maxConfigs.entries()) {
    it(`backward vs central differences, config ${ci}`, () => {
      const r = rng(500 + ci);
      const n = cfg.shape.reduce((a, b) => a * b, 1);
      const x = randn(n, r); // continuous values: no ties, so the max is differentiable at x
      const fwd = refMaxpool2d({ data: x, shape: cfg.shape }, cfg.o);
      const g = randn(fwd.y.data.length, r);
      const dx = refMaxpool2dBackward({ data: g, shape: fwd.y.shape }, fwd.indices, cfg.shape);
      const fd = numGrad((v) => dot(refMaxpool2d({ data: v, shape: cfg.shape }, cfg.o).y.data, g), x, 1e-7);
      expect(relErr(dx.data, fd)).toBeLessThan(1e-6);
    });
  }
});

describe('global average / max pooling', () => {
  const x = { data: [1, 2, 3, 4, 5, -1, 5, 0], shape: [1, 2, 2, 2] };
  it('hand case', () => {
    const a = refGlobalAvgPool2d(x);
    expect(a.shape).toEqual([1, 2, 1, 1]);
    expect(arr(a)).toEqual([2.5, 2.25]);
    const m = refGlobalMaxPool2d(x);
    expect(arr(m.y)).toEqual([4, 5]);
    expect(arr(m.indices)).toEqual([3, 4]); // the tie 5, 5 goes to the first
  });
  it('NaN: output NaN, index of the last NaN', () => {
    const m = refGlobalMaxPool2d({ data: [NaN, 9, NaN, 1], shape: [1, 1, 2, 2] });
    expect(Number.isNaN(m.y.data[0]!)).toBe(true);
    expect(m.indices.data[0]).toBe(2);
    expect(Number.isNaN(refGlobalAvgPool2d({ data: [1, NaN], shape: [1, 1, 1, 2] }).data[0]!)).toBe(true);
  });
  it('equal to avgpool / maxpool with the whole image as the window', () => {
    const r = rng(77);
    const shape = [2, 3, 5, 4];
    const d = { data: randn(120, r), shape };
    expect(arr(refGlobalAvgPool2d(d))).toEqual(arr(refAvgpool2d(d, { kernel: [5, 4], padding: 'valid' })));
    const a = refGlobalMaxPool2d(d);
    const b = refMaxpool2d(d, { kernel: [5, 4], padding: 'valid' });
    expect(arr(a.y)).toEqual(arr(b.y));
    expect(arr(a.indices)).toEqual(arr(b.indices));
  });
  it('backward: hand case and central differences', () => {
    expect(arr(refGlobalAvgPool2dBackward({ data: [4, 8], shape: [1, 2, 1, 1] }, [1, 2, 2, 2]))).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    const m = refGlobalMaxPool2d(x);
    expect(arr(refGlobalMaxPool2dBackward({ data: [3, 7], shape: [1, 2, 1, 1] }, m.indices, [1, 2, 2, 2]))).toEqual([0, 0, 0, 3, 7, 0, 0, 0]);
    const r = rng(78);
    const shape = [2, 2, 3, 3];
    const v = randn(36, r);
    const g = randn(4, r);
    const fdA = numGrad((u) => dot(refGlobalAvgPool2d({ data: u, shape }).data, g), v);
    expect(relErr(refGlobalAvgPool2dBackward({ data: g, shape: [2, 2, 1, 1] }, shape).data, fdA)).toBeLessThan(1e-8);
    const idx = refGlobalMaxPool2d({ data: v, shape }).indices;
    const fdM = numGrad((u) => dot(refGlobalMaxPool2d({ data: u, shape }).y.data, g), v, 1e-7);
    expect(relErr(refGlobalMaxPool2dBackward({ data: g, shape: [2, 2, 1, 1] }, idx, shape).data, fdM)).toBeLessThan(1e-6);
  });
  it('typed errors', () => {
    expect(() => refGlobalAvgPool2d({ data: [1, 2], shape: [1, 2] })).toThrow(/rank 4/);
    expect(() => refGlobalAvgPool2dBackward({ data: [1], shape: [1, 1, 1, 1] }, [1, 2, 2, 2])).toThrow(/dy must be/);
  });
});
