// Cross-check of the new reference ops against a real peer: onnxruntime-node (CPU execution provider,
// float32), one ONNX node per case built by @convkit/onnx-op. Inputs are float32-rounded before the
// reference sees them, so both sides compute on the same numbers; the bound 1e-5 (atol = rtol) covers
// float32 rounding of onnxruntime's sums (windows/reductions here are at most ~50 terms of unit-scale data).
import { floatAttr, loadOrt, runOnnxOp, type AttrValue, type OpOutput } from '@convkit/onnx-op';
import { describe, expect, it } from 'vitest';
import {
  compare,
  describeMismatch,
  refAdd,
  refAvgpool1d,
  refAvgpool2d,
  refBatchNorm2d,
  refConv1dTranspose,
  refConv2dTranspose,
  refGlobalAvgPool2d,
  refGlobalMaxPool2d,
  refLogSoftmax,
  refMaxpool2d,
  refMul,
  refOutputSize,
  refSoftmax,
  refSub,
  type AvgPoolOptions,
  type ConvTransposeOptions,
  type MaxPoolOptions,
  type Padding,
} from './index.js';
import { rng } from './testutil.js';

const loaded = await loadOrt();
const skip = 'error' in loaded ? loaded.error : null;
if (skip) console.warn(`[reference] !!! onnxruntime cross-check SKIPPED: ${skip}`);

const TOL = { atol: 1e-5, rtol: 1e-5 };
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
/** uniform [-1, 1) values rounded to float32 */
const f32 = (n: number, r: () => number) => Float64Array.from(Float32Array.from({ length: n }, () => r() * 2 - 1));
const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

function expectClose(got: OpOutput, want: { data: ArrayLike<number>; shape: readonly number[] }, what: string): void {
  expect(got.shape, `${what}: shape`).toEqual([...want.shape]);
  const c = compare(got.data, want.data, TOL);
  expect(c.ok, `${what}: ${describeMismatch(c, TOL)}`).toBe(true);
}

/** convkit padding (+ geometry) -> ONNX pads [top, left, bottom, right] */
function onnxPads(H: number, W: number, k: [number, number], s: [number, number], d: [number, number], p: Padding): number[] {
  if (p === 'same') {
    const a = refOutputSize(H, k[0], s[0], d[0], 'same');
    const b = refOutputSize(W, k[1], s[1], d[1], 'same');
    return [a.before, b.before, a.after, b.after];
  }
  if (p === 'valid') return [0, 0, 0, 0];
  if (typeof p === 'number') return [p, p, p, p];
  return [p[0], p[2], p[1], p[3]];
}
const pair = (v: number | readonly [number, number] | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

describe.skipIf(skip !== null)('cross-check against onnxruntime-node', () => {
  describe('AveragePool (opset 19: ceil mode, count_include_pad, pads, dilations)', () => {
    const cases: { shape: [number, number, number, number]; o: AvgPoolOptions }[] = [
      { shape: [1, 1, 6, 6], o: { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true } },
      { shape: [1, 1, 6, 6], o: { kernel: 3, stride: 2, padding: 1, ceilMode: true } },
      { shape: [2, 3, 7, 9], o: { kernel: [3, 2], stride: [2, 3], padding: [1, 0, 0, 1], ceilMode: true, countIncludePad: true } },
      { shape: [2, 3, 7, 9], o: { kernel: [3, 2], stride: [2, 3], padding: [1, 0, 0, 1], ceilMode: true } },
      { shape: [1, 2, 4, 4], o: { kernel: 3, stride: 3, padding: 'valid', ceilMode: true, countIncludePad: true } },
      { shape: [1, 2, 5, 5], o: { kernel: 2, stride: 1, padding: [0, 1, 0, 1], countIncludePad: true } },
      { shape: [2, 2, 8, 7], o: { kernel: 3, stride: 1, padding: 'same', countIncludePad: true } },
      { shape: [2, 2, 8, 7], o: { kernel: 4, stride: 2, padding: 'same' } },
      { shape: [1, 2, 9, 8], o: { kernel: 2, stride: 2, dilation: 2, padding: [1, 1, 0, 1], ceilMode: true, countIncludePad: true } },
      { shape: [1, 2, 9, 8], o: { kernel: 3, stride: 1, dilation: [2, 1], padding: [2, 0, 1, 1] } },
    ];
    // and random ones
    const r0 = rng(4242);
    for (let i = 0; i < 8; i++) {
      const k: [number, number] = [int(r0, 1, 4), int(r0, 1, 4)];
      const pads: [number, number, number, number] = [int(r0, 0, k[0] - 1), int(r0, 0, k[0] - 1), int(r0, 0, k[1] - 1), int(r0, 0, k[1] - 1)];
      cases.push({
        shape: [int(r0, 1, 2), int(r0, 1, 3), int(r0, k[0] + 1, 9), int(r0, k[1] + 1, 9)],
        o: { kernel: k, stride: [int(r0, 1, 3), int(r0, 1, 3)], padding: pads, ceilMode: r0() < 0.6, countIncludePad: r0() < 0.5 },
      });
    }
    for (const [ci, c] of cases.entries()) {
      it(`case ${ci}: [${c.shape.join(', ')}] ${JSON.stringify(c.o)}`, async () => {
        const r = rng(7000 + ci);
        const x = { data: f32(size(c.shape), r), shape: c.shape };
        const k = pair(c.o.kernel, 1);
        const s = pair(c.o.stride, 0) as [number, number];
        const st: [number, number] = c.o.stride === undefined ? k : s;
        const d = pair(c.o.dilation, 1);
        const attrs: Record<string, AttrValue> = {
          kernel_shape: k,
          strides: st,
          dilations: d,
          pads: onnxPads(c.shape[2], c.shape[3], k, st, d, c.o.padding ?? 'same'),
          ceil_mode: c.o.ceilMode ? 1 : 0,
          count_include_pad: c.o.countIncludePad ? 1 : 0,
        };
        const out = await runOnnxOp('AveragePool', { x }, ['y'], attrs, { opset: 19 });
        expectClose(out.y!, refAvgpool2d(x, c.o), 'AveragePool');
      });
    }
    it('1-D: kernel 7 stride 3 pads 3, ceil, count_include_pad (the onnx#5276 case)', async () => {
      const x = { data: f32(2 * 9, rng(71)), shape: [1, 2, 9] };
      for (const cip of [true, false]) {
        const out = await runOnnxOp('AveragePool', { x }, ['y'], { kernel_shape: [7], strides: [3], pads: [3, 3], ceil_mode: 1, count_include_pad: cip ? 1 : 0 }, { opset: 19 });
        expectClose(out.y!, refAvgpool1d(x, { kernel: 7, stride: 3, padding: 3, ceilMode: true, countIncludePad: cip }), `AveragePool 1-D cip ${cip}`);
      }
    });
  });

  describe('MaxPool (dilations, pads, ceil mode; values and Indices)', () => {
    const cases: { shape: [number, number, number, number]; o: MaxPoolOptions }[] = [
      { shape: [1, 2, 9, 9], o: { kernel: 3, stride: 1, dilation: 2, padding: 'valid' } },
      { shape: [2, 3, 8, 7], o: { kernel: [2, 3], stride: [2, 1], dilation: [2, 2], padding: [1, 0, 2, 1], ceilMode: true } },
      { shape: [1, 2, 7, 7], o: { kernel: 3, stride: 2, dilation: 2, padding: 'same' } },
      { shape: [1, 1, 6, 6], o: { kernel: 2, stride: 2, dilation: 2, padding: 'valid', ceilMode: true } },
    ];
    const r0 = rng(4343);
    for (let i = 0; i < 6; i++) {
      const k: [number, number] = [int(r0, 1, 3), int(r0, 1, 3)];
      cases.push({
        shape: [1, int(r0, 1, 3), int(r0, 5, 10), int(r0, 5, 10)],
        o: {
          kernel: k,
          stride: [int(r0, 1, 3), int(r0, 1, 3)],
          dilation: [int(r0, 1, 3), int(r0, 1, 3)],
          padding: [int(r0, 0, k[0] - 1), int(r0, 0, k[0] - 1), int(r0, 0, k[1] - 1), int(r0, 0, k[1] - 1)],
          ceilMode: r0() < 0.5,
        },
      });
    }
    for (const [ci, c] of cases.entries()) {
      it(`case ${ci}: [${c.shape.join(', ')}] ${JSON.stringify(c.o)}`, async () => {
        const r = rng(7100 + ci);
        const x = { data: f32(size(c.shape), r), shape: c.shape }; // continuous: no ties
        const k = pair(c.o.kernel, 1);
        const st = c.o.stride === undefined ? k : pair(c.o.stride, 1);
        const d = pair(c.o.dilation, 1);
        const attrs = { kernel_shape: k, strides: st, dilations: d, pads: onnxPads(c.shape[2], c.shape[3], k, st, d, c.o.padding ?? 'same'), ceil_mode: c.o.ceilMode ? 1 : 0 };
        const out = await runOnnxOp('MaxPool', { x }, ['y', { name: 'indices', type: 'int64' }], attrs, { opset: 13 });
        const ref = refMaxpool2d(x, c.o);
        expectClose(out.y!, ref.y, 'MaxPool');
        expect(Array.from(out.indices!.data)).toEqual(Array.from(ref.indices.data));
      });
    }
  });

  describe('BatchNormalization (opset 15)', () => {
    const r0 = rng(4444);
    for (let ci = 0; ci < 4; ci++) {
      const shape: [number, number, number, number] = [int(r0, 1, 3), int(r0, 1, 4), int(r0, 1, 5), int(r0, 2, 5)];
      const eps = [1e-5, 1e-3, 0.1, 1e-5][ci]!;
      it(`inference [${shape.join(', ')}] eps ${eps}`, async () => {
        const r = rng(7200 + ci);
        const C = shape[1];
        const v = (n: number) => ({ data: f32(n, r), shape: [n] });
        const x = { data: f32(size(shape), r), shape };
        const gamma = v(C);
        const beta = v(C);
        const mean = v(C);
        const variance = { data: Float64Array.from(Float32Array.from(f32(C, r), (e) => e + 1.5)), shape: [C] };
        const out = await runOnnxOp('BatchNormalization', { x, gamma, beta, mean, variance }, ['y'], { epsilon: floatAttr(eps) }, { opset: 15 });
        // ONNX keeps eps a float32 attribute: use the same number here
        const epsF = Math.fround(eps);
        expectClose(out.y!, refBatchNorm2d(x, { gamma, beta, runningMean: mean, runningVar: variance }, { eps: epsF }).y, 'BatchNormalization');
      });
    }
    it("training_mode 1 outputs = momentumMode 'onnx' (momentum 0.9, biased running_var)", async () => {
      const r = rng(7299);
      const shape = [3, 2, 3, 4];
      const x = { data: f32(size(shape), r), shape };
      const v = (n: number, off = 0) => ({ data: Float64Array.from(Float32Array.from(f32(n, r), (e) => e + off)), shape: [n] });
      const p = { gamma: v(2), beta: v(2), mean: v(2), variance: v(2, 1.5) };
      const out = await runOnnxOp(
        'BatchNormalization',
        { x, gamma: p.gamma, beta: p.beta, mean: p.mean, variance: p.variance },
        ['y', 'running_mean', 'running_var'],
        { epsilon: floatAttr(1e-5), momentum: floatAttr(0.9), training_mode: 1 },
        { opset: 15 },
      );
      const ref = refBatchNorm2d(x, { gamma: p.gamma, beta: p.beta, runningMean: p.mean, runningVar: p.variance }, { training: true, eps: Math.fround(1e-5), momentum: Math.fround(0.9), momentumMode: 'onnx' });
      expectClose(out.y!, ref.y, 'BatchNormalization training y');
      expectClose(out.running_mean!, ref.runningMean!, 'running_mean');
      expectClose(out.running_var!, ref.runningVar!, 'running_var');
    });
  });

  describe('ConvTranspose (opset 13: strides, pads, output_padding, dilations, group, bias)', () => {
    const cases: { x: [number, number, number, number]; wK: number; k: [number, number]; o: ConvTransposeOptions }[] = [
      { x: [1, 2, 3, 4], wK: 3, k: [3, 3], o: { stride: 2, padding: [1, 1, 1, 1], outputPadding: 1 } },
      { x: [2, 4, 3, 3], wK: 2, k: [2, 3], o: { stride: [2, 3], padding: [0, 1, 1, 0], outputPadding: [1, 2], groups: 2 } },
      { x: [1, 3, 4, 5], wK: 1, k: [3, 3], o: { stride: 1, dilation: 2, padding: [2, 1, 0, 2], groups: 3 } },
      // outputPadding 2 (< dilation 3, allowed by PyTorch and here) is refused by onnxruntime, which wants < stride
      { x: [1, 2, 3, 3], wK: 2, k: [3, 2], o: { stride: 2, dilation: 3, padding: 'valid', outputPadding: 1 } },
      { x: [2, 2, 4, 4], wK: 3, k: [4, 4], o: { stride: 2, padding: 'same' } },
    ];
    const r0 = rng(4545);
    for (let i = 0; i < 5; i++) {
      const groups = int(r0, 1, 2);
      const k: [number, number] = [int(r0, 1, 4), int(r0, 1, 4)];
      const s: [number, number] = [int(r0, 1, 3), int(r0, 1, 3)];
      const d: [number, number] = [int(r0, 1, 2), int(r0, 1, 2)];
      cases.push({
        x: [int(r0, 1, 2), groups * int(r0, 1, 2), int(r0, 2, 5), int(r0, 2, 5)],
        wK: int(r0, 1, 3),
        k,
        o: {
          stride: s,
          dilation: d,
          groups,
          padding: [int(r0, 0, k[0] - 1), int(r0, 0, k[0] - 1), int(r0, 0, k[1] - 1), int(r0, 0, k[1] - 1)],
          outputPadding: [int(r0, 0, s[0] - 1), int(r0, 0, s[1] - 1)],
        },
      });
    }
    for (const [ci, c] of cases.entries()) {
      it(`case ${ci}: x [${c.x.join(', ')}] k ${c.k} ${JSON.stringify(c.o)}`, async () => {
        const r = rng(7300 + ci);
        const groups = c.o.groups ?? 1;
        const wShape = [c.x[1], c.wK, c.k[0], c.k[1]];
        const K = c.wK * groups;
        const x = { data: f32(size(c.x), r), shape: c.x };
        const w = { data: f32(size(wShape), r), shape: wShape };
        const b = { data: f32(K, r), shape: [K] };
        const ref = refConv2dTranspose(x, w, b, c.o);
        const s = pair(c.o.stride, 1);
        const d = pair(c.o.dilation, 1);
        const p = c.o.padding ?? 'same';
        let pads: number[];
        if (p === 'same') {
          // convkit 'same': out = in*s, before = floor(d(k-1)/2): ONNX pads from out = (in-1)s - b - a + d(k-1) + 1
          const bef = [Math.floor((d[0] * (c.k[0] - 1)) / 2), Math.floor((d[1] * (c.k[1] - 1)) / 2)];
          const aft = [0, 1].map((i) => (c.x[2 + i]! - 1) * s[i]! + d[i]! * (c.k[i]! - 1) + 1 - bef[i]! - c.x[2 + i]! * s[i]!);
          // a negative 'after' is expressed by output_padding in ONNX
          pads = [bef[0]!, bef[1]!, Math.max(0, aft[0]!), Math.max(0, aft[1]!)];
          const op = [Math.max(0, -aft[0]!), Math.max(0, -aft[1]!)];
          const out = await runOnnxOp('ConvTranspose', { x, w, b }, ['y'], { kernel_shape: c.k, strides: s, dilations: d, pads, output_padding: op, group: groups }, { opset: 13 });
          expectClose(out.y!, ref, 'ConvTranspose same');
          return;
        }
        pads = p === 'valid' ? [0, 0, 0, 0] : typeof p === 'number' ? [p, p, p, p] : [p[0], p[2], p[1], p[3]];
        const op = pair(c.o.outputPadding, 0);
        const out = await runOnnxOp('ConvTranspose', { x, w, b }, ['y'], { kernel_shape: c.k, strides: s, dilations: d, pads, output_padding: op, group: groups }, { opset: 13 });
        expectClose(out.y!, ref, 'ConvTranspose');
      });
    }
    it('1-D', async () => {
      const r = rng(7390);
      const x = { data: f32(2 * 4 * 5, r), shape: [2, 4, 5] };
      const w = { data: f32(4 * 3 * 3, r), shape: [4, 3, 3] };
      const out = await runOnnxOp('ConvTranspose', { x, w }, ['y'], { kernel_shape: [3], strides: [3], dilations: [2], pads: [1, 2], output_padding: [1], group: 2 }, { opset: 13 });
      expectClose(out.y!, refConv1dTranspose(x, w, null, { stride: 3, dilation: 2, padding: [1, 2], outputPadding: 1, groups: 2 }), 'ConvTranspose 1-D');
    });
  });

  describe('Softmax / LogSoftmax (opset 13, axis)', () => {
    for (const [ci, [shape, axis]] of ([
      [[3, 7], -1],
      [[2, 5, 3, 4], 1],
      [[2, 5, 3, 4], -1],
      [[4, 3, 6], 0],
      [[2, 3, 4, 5], 2],
    ] as [number[], number][]).entries()) {
      it(`[${shape.join(', ')}] axis ${axis}`, async () => {
        const x = { data: f32(size(shape), rng(7400 + ci)).map((v) => 4 * v), shape };
        const s = await runOnnxOp('Softmax', { x }, ['y'], { axis }, { opset: 13 });
        expectClose(s.y!, refSoftmax(x, axis), 'Softmax');
        const l = await runOnnxOp('LogSoftmax', { x }, ['y'], { axis }, { opset: 13 });
        expectClose(l.y!, refLogSoftmax(x, axis), 'LogSoftmax');
      });
    }
  });

  describe('Add / Sub / Mul broadcasting (opset 13)', () => {
    const pairs: [number[], number[]][] = [
      [[2, 3, 4, 5], [2, 3, 4, 5]],
      [[2, 3, 4, 5], [3, 1, 1]],
      [[1, 3, 1, 1], [2, 3, 4, 5]],
      [[2, 3, 4, 5], []],
      [[2, 1, 4, 1], [1, 3, 1, 5]],
      [[4, 1], [3, 1, 5]],
    ];
    for (const [pi, [sa, sb]] of pairs.entries()) {
      it(`[${sa.join(', ')}] with [${sb.join(', ')}]`, async () => {
        const r = rng(7500 + pi);
        const a = { data: f32(size(sa), r), shape: sa };
        const b = { data: f32(size(sb), r), shape: sb };
        for (const [op, f] of [
          ['Add', refAdd],
          ['Sub', refSub],
          ['Mul', refMul],
        ] as const) {
          const out = await runOnnxOp(op, { a, b }, ['y'], {}, { opset: 13 });
          expectClose(out.y!, f(a, b), op);
        }
      });
    }
  });

  describe('GlobalAveragePool / GlobalMaxPool', () => {
    const r0 = rng(4646);
    for (let ci = 0; ci < 4; ci++) {
      const shape = [int(r0, 1, 3), int(r0, 1, 4), int(r0, 1, 7), int(r0, 1, 7)];
      it(`[${shape.join(', ')}]`, async () => {
        const x = { data: f32(size(shape), rng(7600 + ci)), shape };
        const a = await runOnnxOp('GlobalAveragePool', { x }, ['y'], {}, { opset: 13 });
        expectClose(a.y!, refGlobalAvgPool2d(x), 'GlobalAveragePool');
        const m = await runOnnxOp('GlobalMaxPool', { x }, ['y'], {}, { opset: 13 });
        expectClose(m.y!, refGlobalMaxPool2d(x).y, 'GlobalMaxPool');
      });
    }
  });
});
