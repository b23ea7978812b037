import { describe, expect, it } from 'vitest';
import { refConv2d, refConv2dBackward, refGemm, refMaxpool2d } from '@convkit/reference';
import { randomArray } from './data.js';
import { convDwExpected, convDxExpected, convExpected, gemmExpected, maxpoolExpected, type Output } from './check.js';
import { convGeometry, quickWorkloads, sameAxis, type ConvShape } from './workloads.js';
import { prepareWorkload } from './bench.js';
import { checkTrain, referenceStep, referenceStepLib, trainInit, PARAM_NAMES } from './train.js';
import { singleOpModel } from '@convkit/onnx-op';
import type { Impl } from './impl.js';

const all = (n: number) => Array.from({ length: n }, (_, i) => i);
const T = (data: Float32Array, shape: number[]) => ({ data, shape });
const fakeImpl = { precision: { atol: 1e-4, rtol: 1e-4 } } as Impl;

describe('course geometry', () => {
  it("'same' offsets follow CONVENTIONS.md (k=1,2 -> 0; 3,4 -> -1; 5 -> -2; 7/2 on 224 -> 112 outputs from -3)", () => {
    expect(sameAxis(64, 2, 2)).toEqual({ out: 32, before: 0, after: 0 });
    expect(sameAxis(8, 3, 1).before).toBe(1);
    expect(sameAxis(8, 4, 1).before).toBe(1);
    expect(sameAxis(28, 5, 1)).toEqual({ out: 28, before: 2, after: 2 });
    expect(sameAxis(224, 7, 2)).toEqual({ out: 112, before: 3, after: 2 });
  });
});

describe('direct float64 sampled checks agree with @convkit/reference', () => {
  const shapes: ConvShape[] = [
    { N: 2, C: 3, H: 7, W: 6, K: 4, R: 3, S: 3, stride: 1 },
    { N: 1, C: 2, H: 11, W: 9, K: 3, R: 7, S: 7, stride: 2 },
    { N: 2, C: 2, H: 5, W: 5, K: 2, R: 4, S: 2, stride: 1 },
    { N: 2, C: 4, H: 3, W: 5, K: 3, R: 1, S: 1, stride: 1 },
  ];
  for (const c of shapes) {
    it(`conv ${c.R}x${c.S}/${c.stride} forward, dx and dW`, () => {
      const g = convGeometry(c);
      const x = randomArray(c.N * c.C * c.H * c.W, 1);
      const w = randomArray(c.K * c.C * c.R * c.S, 2);
      const b = randomArray(c.K, 3);
      const dy = randomArray(c.N * c.K * g.outH * g.outW, 4);
      const opts = { stride: c.stride, padding: 'same' as const };
      const y = refConv2d(T(x, [c.N, c.C, c.H, c.W]), T(w, [c.K, c.C, c.R, c.S]), T(b, [c.K]), opts);
      expect(y.shape).toEqual([c.N, c.K, g.outH, g.outW]);
      const mine = convExpected(x, w, b, c, all(y.data.length));
      for (let i = 0; i < mine.length; i++) expect(mine[i]).toBeCloseTo(y.data[i]!, 10);
      const r = refConv2dBackward(T(x, [c.N, c.C, c.H, c.W]), T(w, [c.K, c.C, c.R, c.S]), T(dy, [c.N, c.K, g.outH, g.outW]), opts);
      const dx = convDxExpected(w, dy, c, all(x.length));
      const dw = convDwExpected(x, dy, c, all(w.length));
      for (let i = 0; i < dx.length; i++) expect(dx[i]).toBeCloseTo(r.dx.data[i]!, 10);
      for (let i = 0; i < dw.length; i++) expect(dw[i]).toBeCloseTo(r.dw.data[i]!, 10);
    });
  }
  it('gemm and maxpool (values and indices, odd sizes)', () => {
    const a = randomArray(5 * 7, 5);
    const b = randomArray(7 * 3, 6);
    const ref = refGemm(T(a, [5, 7]), T(b, [7, 3]));
    const mine = gemmExpected(a, b, { M: 5, N: 3, K: 7 }, all(15));
    for (let i = 0; i < 15; i++) expect(mine[i]).toBeCloseTo(ref.data[i]!, 10);
    const x = randomArray(2 * 3 * 7 * 5, 7);
    const p = { N: 2, C: 3, H: 7, W: 5, k: 2, stride: 2 };
    const r = refMaxpool2d(T(x, [2, 3, 7, 5]), { kernel: 2, stride: 2, padding: 'same' });
    const m = maxpoolExpected(x, p);
    expect([...m.y]).toEqual([...r.y.data]);
    expect([...m.indices]).toEqual([...r.indices.data]);
  });
  it('training step: own float64 loops equal the @convkit/reference composition', () => {
    const t = { batch: 3, H: 7, W: 6, c1: 2, c2: 3, classes: 4 };
    const init = trainInit(t, 3);
    const a = referenceStep(t, init);
    const b = referenceStepLib(t, init);
    expect(a.loss).toBeCloseTo(b.loss, 10);
    for (const n of PARAM_NAMES) for (let i = 0; i < a.params[n].length; i++) expect(a.params[n][i]).toBeCloseTo(b.params[n][i]!, 10);
  });
});

describe('the checker rejects wrong results', () => {
  const ws = quickWorkloads();
  const byId = (id: string) => ws.find((w) => w.id === id)!;
  const f32 = (a: ArrayLike<number>) => Float32Array.from(a);

  it('conv: exact float64 passes, one element off by 1e-2 fails', () => {
    const w = byId('conv-C');
    if (w.kind !== 'conv') throw new Error('kind');
    const p = prepareWorkload(w, 64, true);
    const c = w.shape;
    const g = convGeometry(c);
    const exact = refConv2d(T(p.inputs.x as Float32Array, [c.N, c.C, c.H, c.W]), T(p.inputs.w as Float32Array, [c.K, c.C, c.R, c.S]), T(p.inputs.b as Float32Array, [c.K]), { stride: 2 });
    const y: Output = { data: f32(exact.data), shape: [c.N, c.K, g.outH, g.outW] };
    expect(p.check({ y }, fakeImpl).ok).toBe(true);
    y.data[5] = y.data[5]! + 1e-2;
    const r = p.check({ y }, fakeImpl);
    expect(r.ok).toBe(false);
    expect(r.worst?.index).toBe(5);
    // a sampled (not full) check also catches a systematic error, e.g. TF-style centring of 7x7/2
    const p2 = prepareWorkload(w, 16, false);
    const shifted = refConv2d(T(p.inputs.x as Float32Array, [c.N, c.C, c.H, c.W]), T(p.inputs.w as Float32Array, [c.K, c.C, c.R, c.S]), T(p.inputs.b as Float32Array, [c.K]), { stride: 2, padding: [2, 3, 2, 3] });
    expect(p2.check({ y: { data: f32(shifted.data), shape: y.shape } }, fakeImpl).ok).toBe(false);
  });

  it('NHWC outputs are read through the index map', () => {
    const w = byId('conv-D');
    if (w.kind !== 'conv') throw new Error('kind');
    const c = w.shape;
    const p = prepareWorkload(w, 64, true);
    const exact = refConv2d(T(p.inputs.x as Float32Array, [c.N, c.C, c.H, c.W]), T(p.inputs.w as Float32Array, [c.K, c.C, 1, 1]), T(p.inputs.b as Float32Array, [c.K]));
    const nhwc = new Float32Array(exact.data.length);
    for (let n = 0; n < c.N; n++) for (let k = 0; k < c.K; k++) for (let i = 0; i < c.H * c.W; i++) nhwc[(n * c.H * c.W + i) * c.K + k] = exact.data[(n * c.K + k) * c.H * c.W + i]!;
    expect(p.check({ y: { data: nhwc, shape: [c.N, c.K, c.H, c.W], layout: 'nhwc' } }, fakeImpl).ok).toBe(true);
    expect(p.check({ y: { data: nhwc, shape: [c.N, c.K, c.H, c.W] } }, fakeImpl).ok).toBe(false);
  });

  it('maxpool: a wrong index fails even when the value is right', () => {
    const w = byId('maxpool');
    if (w.kind !== 'maxpool') throw new Error('kind');
    const s = w.shape;
    const p = prepareWorkload(w, 64, true);
    const r = refMaxpool2d(T(p.inputs.x as Float32Array, [s.N, s.C, s.H, s.W]), { kernel: 2 });
    const y: Output = { data: f32(r.y.data), shape: r.y.shape };
    const indices: Output = { data: Int32Array.from(r.indices.data), shape: r.y.shape };
    expect(p.check({ y, indices }, fakeImpl).ok).toBe(true);
    indices.data[3] = indices.data[3]! + 1;
    expect(p.check({ y, indices }, fakeImpl).ok).toBe(false);
  });

  it('conv backward: dW with a transposed filter layout fails', () => {
    const w = byId('conv-A-bwd');
    if (w.kind !== 'convBackward') throw new Error('kind');
    const c = w.shape;
    const g = convGeometry(c);
    const p = prepareWorkload(w, 64, true);
    const r = refConv2dBackward(T(p.inputs.x as Float32Array, [c.N, c.C, c.H, c.W]), T(p.inputs.w as Float32Array, [c.K, c.C, c.R, c.S]), T(p.inputs.dy as Float32Array, [c.N, c.K, g.outH, g.outW]));
    const dx: Output = { data: f32(r.dx.data), shape: r.dx.shape };
    const dw: Output = { data: f32(r.dw.data), shape: r.dw.shape };
    expect(p.check({ dx, dw }, fakeImpl).ok).toBe(true);
    expect(p.check({ dx, dw: { ...dw, layout: 'hwio' } }, fakeImpl).ok).toBe(false);
  });

  it('gemm: A*B^T fails', () => {
    const w = byId('gemm');
    if (w.kind !== 'gemm') throw new Error('kind');
    const p = prepareWorkload(w, 64, true);
    const s = w.shape;
    const good = refGemm(T(p.inputs.a as Float32Array, [s.M, s.K]), T(p.inputs.b as Float32Array, [s.K, s.N]));
    expect(p.check({ c: { data: f32(good.data), shape: [s.M, s.N] } }, fakeImpl).ok).toBe(true);
    const bad = f32(good.data);
    bad[bad.length - 1] = -bad[bad.length - 1]!;
    expect(p.check({ c: { data: bad, shape: [s.M, s.N] } }, fakeImpl).ok).toBe(false);
  });

  it('training step: a wrong loss, a 5% wrong update or no update fails', () => {
    const t = { batch: 4, H: 8, W: 8, c1: 3, c2: 4, classes: 5 };
    const init = trainInit(t);
    const ref = referenceStepLib(t, init);
    const after = Object.fromEntries(PARAM_NAMES.map((n) => [n, f32(ref.params[n])])) as Record<(typeof PARAM_NAMES)[number], Float32Array>;
    expect(checkTrain(ref.loss, after, init, ref).ok).toBe(true);
    expect(checkTrain(ref.loss * 1.01, after, init, ref).ok).toBe(false);
    // w2's update 5% too large (e.g. a sum where a mean belongs in one term) fails the 1e-2 bound
    const scaled = { ...after, w2: f32(ref.params.w2.map((v, i) => init.params.w2[i]! + 1.05 * (v - init.params.w2[i]!))) };
    expect(checkTrain(ref.loss, scaled, init, ref).ok).toBe(false);
    const zeroUpdate = { ...after, b1: f32(init.params.b1) };
    expect(checkTrain(ref.loss, zeroUpdate, init, ref).ok).toBe(false);
  });
});

describe('ONNX encoder', () => {
  it('writes the protobuf fields onnxruntime needs (ir_version 8, opset 13)', () => {
    const m = singleOpModel('MatMul', [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [3, 4] }], [{ name: 'c', shape: [2, 4] }]);
    expect([...m.slice(0, 2)]).toEqual([0x08, 8]); // field 1 varint = 8
    expect(new TextDecoder().decode(m)).toContain('MatMul');
  });
});
