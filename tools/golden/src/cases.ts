/**
 * The golden case list (issue 3 coverage). Every case is built from seeded float32 inputs and the
 * float64 reference; `tf` says whether (and how) tfjs cross-checks it.
 */
import * as R from '@convkit/reference';
import type { ExpectedHints } from '@convkit/conformance/format';
import type { RawArray } from './writer.js';
import { levels32, rng, seedOf, uniform32 } from './rng.js';

export type Expected = RawArray & ExpectedHints;

export interface Draft {
  id: string;
  op: string;
  title: string;
  params: Record<string, unknown>;
  inputs: Record<string, RawArray>;
  expected: Record<string, Expected>;
  source: 'generated' | 'conventions' | 'uwnet';
  tags: string[];
  notes?: string;
  /** extra data for the cross-check only (not written) */
  check?: { x: RawArray };
}

type Shape4 = [number, number, number, number];
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const f32 = (shape: number[], data: Float32Array): RawArray => ({ dtype: 'float32', shape, data });
const f64 = (t: R.RefTensor, reduction: number, scale?: number): Expected => ({
  dtype: 'float64',
  shape: t.shape,
  data: t.data,
  reduction,
  ...(scale !== undefined && scale !== 1 ? { scale } : {}),
});
const i32 = (t: R.RefIndexTensor): Expected => ({ dtype: 'int32', shape: t.shape, data: t.data, reduction: 1, exact: true });
const uw = (name: string, shape: number[]): RawArray => ({ dtype: 'float32', shape, uwnet: name });
const uwx = (name: string, shape: number[], reduction: number, scale?: number): Expected => ({
  dtype: 'float32',
  shape,
  uwnet: name,
  reduction,
  ...(scale !== undefined ? { scale } : {}),
});

// ---------------------------------------------------------------------------------------------
// conv2d / conv2dBackward

interface ConvSpec {
  name: string;
  x: Shape4;
  w: Shape4;
  o: R.ConvOptions;
  bias?: boolean;
  tags: string[];
}

const CONV: ConvSpec[] = [];
{
  const c = (name: string, x: Shape4, w: Shape4, o: R.ConvOptions, tags: string[], bias = true) => CONV.push({ name, x, w, o, bias, tags });
  for (let k = 1; k <= 7; k++) c(`k${k}-same`, [2, 3, 9, 10], [4, 3, k, k], {}, ['kernel-size', k % 2 ? 'odd' : 'even']);
  c('k2x3-same', [1, 3, 8, 7], [4, 3, 2, 3], {}, ['non-square']);
  c('k3x1-valid', [2, 2, 6, 5], [3, 2, 3, 1], { padding: 'valid' }, ['non-square']);
  c('k1x5-explicit', [1, 2, 5, 9], [2, 2, 1, 5], { padding: [0, 1, 2, 2] }, ['non-square', 'explicit']);
  c('k4x2-s2', [1, 3, 9, 8], [2, 3, 4, 2], { stride: 2 }, ['non-square', 'stride']);
  c('s2-same-odd', [2, 3, 7, 9], [4, 3, 3, 3], { stride: 2 }, ['stride']);
  c('s3-same', [1, 3, 8, 10], [4, 3, 3, 3], { stride: 3 }, ['stride']);
  c('s3-valid', [1, 2, 11, 8], [3, 2, 3, 3], { stride: 3, padding: 'valid' }, ['stride']);
  c('s1x3-explicit', [1, 2, 7, 10], [2, 2, 3, 3], { stride: [1, 3], padding: [1, 2, 0, 1] }, ['stride', 'explicit']);
  c('s2-k4-same', [1, 2, 9, 9], [2, 2, 4, 4], { stride: 2 }, ['stride', 'even']);
  c('d2-same', [1, 3, 9, 10], [4, 3, 3, 3], { dilation: 2 }, ['dilation']);
  c('d3-same', [1, 2, 11, 10], [2, 2, 3, 3], { dilation: 3 }, ['dilation']);
  c('d2x1-valid', [1, 2, 9, 7], [3, 2, 3, 2], { dilation: [2, 1], padding: 'valid' }, ['dilation']);
  c('d2-s2', [2, 2, 10, 9], [3, 2, 3, 3], { dilation: 2, stride: 2 }, ['dilation', 'stride']);
  c('d3-s3-k2', [1, 2, 12, 11], [2, 2, 2, 2], { dilation: 3, stride: 3 }, ['dilation', 'stride', 'even']);
  c('groups2', [2, 4, 7, 7], [6, 2, 3, 3], { groups: 2 }, ['groups']);
  c('groups4-c16', [1, 16, 6, 6], [8, 4, 3, 3], { groups: 4 }, ['groups', 'c16']);
  c('depthwise', [2, 3, 8, 7], [3, 1, 3, 3], { groups: 3 }, ['groups', 'depthwise']);
  c('depthwise-mult2-s2', [1, 4, 9, 8], [8, 1, 3, 3], { groups: 4, stride: 2 }, ['groups', 'depthwise']);
  c('depthwise-c16-d2', [1, 16, 7, 7], [16, 1, 3, 3], { groups: 16, dilation: 2 }, ['groups', 'depthwise', 'c16']);
  for (const mode of ['zeros', 'replicate', 'circular', 'reflect'] as const) {
    c(`${mode}-k3-same`, [2, 2, 6, 7], [3, 2, 3, 3], { padMode: mode }, ['pad-mode', mode]);
    c(`${mode}-k4-s2-explicit`, [1, 2, 7, 8], [2, 2, 4, 3], { padMode: mode, stride: 2, padding: [2, 1, 1, 2] }, ['pad-mode', mode, 'explicit']);
    c(`${mode}-k3-d2`, [1, 3, 6, 6], [2, 3, 3, 3], { padMode: mode, dilation: 2 }, ['pad-mode', mode, 'dilation']);
    c(`${mode}-k5-groups`, [1, 4, 5, 6], [4, 2, 5, 5], { padMode: mode, groups: 2 }, ['pad-mode', mode, 'groups']);
  }
  c('flip-k3', [1, 2, 6, 6], [3, 2, 3, 3], { flip: true }, ['flip']);
  c('flip-k2x3-reflect-s2', [2, 2, 7, 8], [2, 2, 2, 3], { flip: true, padMode: 'reflect', stride: 2 }, ['flip', 'pad-mode']);
  c('batch1-c1', [1, 1, 8, 8], [1, 1, 3, 3], {}, ['batch1', 'c1']);
  c('batch4-c1-k5', [4, 1, 7, 6], [2, 1, 5, 5], {}, ['batch', 'c1']);
  c('c16-k3', [2, 16, 6, 7], [8, 16, 3, 3], {}, ['c16']);
  c('c17-k1', [1, 17, 5, 5], [5, 17, 1, 1], {}, ['c16', 'pointwise']);
  c('c3-k8-out16', [1, 3, 5, 6], [16, 3, 3, 3], { stride: 2 }, ['c16']);
  c('kernel-larger-than-image-same', [1, 2, 3, 3], [2, 2, 5, 5], {}, ['big-kernel']);
  c('kernel-larger-than-image-explicit', [1, 1, 2, 3], [2, 1, 5, 4], { padding: [2, 2, 2, 1] }, ['big-kernel', 'explicit']);
  c('kernel-larger-than-image-replicate', [1, 1, 3, 2], [1, 1, 5, 4], { padMode: 'replicate', padding: [2, 2, 2, 2] }, ['big-kernel', 'pad-mode']);
  c('no-bias', [1, 3, 6, 6], [2, 3, 3, 3], {}, ['no-bias'], false);
  c('k7-s2-c3-large-batch', [3, 3, 12, 11], [4, 3, 7, 7], { stride: 2 }, ['batch']);
}

function convDrafts(): Draft[] {
  const out: Draft[] = [];
  for (const s of CONV) {
    const id = `conv2d/${s.name}`;
    const r = rng(seedOf(id));
    const x = uniform32(size(s.x), r);
    const w = uniform32(size(s.w), r);
    const b = s.bias !== false ? uniform32(s.w[0], r) : null;
    const xt = { data: x, shape: s.x };
    const wt = { data: w, shape: s.w };
    const y = R.refConv2d(xt, wt, b ? { data: b, shape: [s.w[0]] } : null, s.o);
    const red = s.w[1] * s.w[2] * s.w[3] + 1;
    const inputs: Record<string, RawArray> = { x: f32([...s.x], x), w: f32([...s.w], w) };
    if (b) inputs.bias = f32([s.w[0]], b);
    out.push({ id, op: 'conv2d', title: `conv2d ${s.name}`, params: { ...s.o }, inputs, expected: { y: f64(y, red) }, source: 'generated', tags: s.tags });

    const idb = `conv2dBackward/${s.name}`;
    const dy = uniform32(y.data.length, rng(seedOf(idb)));
    const g = R.refConv2dBackward(xt, wt, { data: dy, shape: y.shape }, s.o);
    const [N, K, oh, ow] = y.shape as Shape4;
    const Kg = K / (s.o.groups ?? 1);
    out.push({
      id: idb,
      op: 'conv2dBackward',
      title: `conv2d backward ${s.name}`,
      params: { ...s.o },
      inputs: { x: f32([...s.x], x), w: f32([...s.w], w), dy: f32([...y.shape], dy) },
      expected: { dx: f64(g.dx, Kg * s.w[2] * s.w[3] * 4), dw: f64(g.dw, N * oh * ow), db: f64(g.db, N * oh * ow) },
      source: 'generated',
      tags: s.tags,
    });
    void K;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// conv1d

interface Conv1dSpec {
  name: string;
  x: [number, number, number];
  w: [number, number, number];
  o: R.Conv1dOptions;
}
const CONV1D: Conv1dSpec[] = [
  { name: 'k3-same', x: [2, 3, 12], w: [4, 3, 3], o: {} },
  { name: 'k4-s2-valid', x: [1, 2, 15], w: [3, 2, 4], o: { stride: 2, padding: 'valid' } },
  { name: 'k3-d2-reflect', x: [1, 2, 10], w: [2, 2, 3], o: { dilation: 2, padMode: 'reflect' } },
  { name: 'k5-explicit-circular-s3', x: [2, 2, 11], w: [2, 2, 5], o: { padding: [2, 1], padMode: 'circular', stride: 3 } },
  { name: 'depthwise-replicate', x: [1, 4, 9], w: [4, 1, 3], o: { groups: 4, padMode: 'replicate' } },
  { name: 'flip-k2', x: [1, 1, 8], w: [1, 1, 2], o: { flip: true, padding: 'valid' } },
];

function conv1dDrafts(): Draft[] {
  const out: Draft[] = [];
  // CONVENTIONS.md worked 1-D example
  {
    const m = Float32Array.from([0, 1, 2, 3, 2, 5, 6, 7, 8, 14, 10, 11, 12, 8, 14]);
    const f = Float32Array.from([-1, 2, -1]);
    const y = R.refConv1d({ data: m, shape: [1, 1, 15] }, { data: f, shape: [1, 1, 3] }, null, { padding: 'valid' });
    out.push({
      id: 'conv1d/conventions-worked-example',
      op: 'conv1d',
      title: 'CONVENTIONS.md 1-D example (valid, stride 1)',
      params: { padding: 'valid' },
      inputs: { x: f32([1, 1, 15], m), w: f32([1, 1, 3], f) },
      expected: { y: f64(y, 3, 14) },
      source: 'conventions',
      tags: ['worked-example'],
    });
  }
  for (const s of CONV1D) {
    const id = `conv1d/${s.name}`;
    const r = rng(seedOf(id));
    const x = uniform32(size(s.x), r);
    const w = uniform32(size(s.w), r);
    const b = uniform32(s.w[0], r);
    const y = R.refConv1d({ data: x, shape: s.x }, { data: w, shape: s.w }, { data: b, shape: [s.w[0]] }, s.o);
    out.push({
      id,
      op: 'conv1d',
      title: `conv1d ${s.name}`,
      params: { ...s.o },
      inputs: { x: f32([...s.x], x), w: f32([...s.w], w), bias: f32([s.w[0]], b) },
      expected: { y: f64(y, s.w[1] * s.w[2] + 1) },
      source: 'generated',
      tags: ['conv1d'],
    });
    const idb = `conv1dBackward/${s.name}`;
    const dy = uniform32(y.data.length, rng(seedOf(idb)));
    const g = R.refConv1dBackward({ data: x, shape: s.x }, { data: w, shape: s.w }, { data: dy, shape: y.shape }, s.o);
    out.push({
      id: idb,
      op: 'conv1dBackward',
      title: `conv1d backward ${s.name}`,
      params: { ...s.o },
      inputs: { x: f32([...s.x], x), w: f32([...s.w], w), dy: f32([...y.shape], dy) },
      expected: { dx: f64(g.dx, s.w[0] * s.w[2] * 2), dw: f64(g.dw, s.x[0] * y.shape[2]!), db: f64(g.db, s.x[0] * y.shape[2]!) },
      source: 'generated',
      tags: ['conv1d'],
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// im2col / col2im

interface ColSpec {
  name: string;
  x: Shape4;
  o: R.Im2colOptions;
}
const COLS: ColSpec[] = [];
{
  const c = (name: string, x: Shape4, o: R.Im2colOptions) => COLS.push({ name, x, o });
  for (let k = 1; k <= 7; k++) c(`k${k}-same`, [1, 2, 8, 9], { kernel: k });
  c('k2x3-s2', [2, 3, 7, 8], { kernel: [2, 3], stride: 2 });
  c('k3-s3-valid', [1, 2, 10, 11], { kernel: 3, stride: 3, padding: 'valid' });
  c('k3-s2x1-explicit', [1, 1, 7, 6], { kernel: 3, stride: [2, 1], padding: [1, 0, 2, 1] });
  c('k3-d2', [1, 2, 8, 8], { kernel: 3, dilation: 2 });
  c('k2-d3-s2', [1, 2, 10, 9], { kernel: 2, dilation: 3, stride: 2 });
  c('c16-k3', [1, 16, 5, 5], { kernel: 3 });
  c('k5-bigger-than-image', [1, 1, 3, 4], { kernel: 5 });
  for (const mode of ['replicate', 'circular', 'reflect'] as const) {
    c(`${mode}-k3-same`, [2, 2, 5, 6], { kernel: 3, padMode: mode });
    c(`${mode}-k4x3-s2-explicit`, [1, 2, 7, 6], { kernel: [4, 3], stride: 2, padding: [2, 1, 1, 1], padMode: mode });
    c(`${mode}-k3-d2`, [1, 1, 6, 7], { kernel: 3, dilation: 2, padMode: mode });
  }
}

function colDrafts(): Draft[] {
  const out: Draft[] = [];
  for (const s of COLS) {
    const id = `im2col/${s.name}`;
    const x = uniform32(size(s.x), rng(seedOf(id)));
    const y = R.refIm2col({ data: x, shape: s.x }, s.o);
    out.push({ id, op: 'im2col', title: `im2col ${s.name}`, params: { ...s.o }, inputs: { x: f32([...s.x], x) }, expected: { y: f64(y, 1) }, source: 'generated', tags: ['im2col', ...(s.o.padMode ? [s.o.padMode] : [])] });
    const idc = `col2im/${s.name}`;
    const cols = uniform32(y.data.length, rng(seedOf(idc)));
    const [kh, kw] = typeof s.o.kernel === 'number' ? [s.o.kernel, s.o.kernel] : s.o.kernel;
    const img = R.refCol2im({ data: cols, shape: y.shape }, { ...s.o, inputShape: s.x });
    out.push({
      id: idc,
      op: 'col2im',
      title: `col2im ${s.name}`,
      params: { ...s.o, inputShape: [...s.x] },
      inputs: { cols: f32([...y.shape], cols) },
      expected: { y: f64(img, kh * kw * 4) },
      source: 'generated',
      tags: ['col2im', ...(s.o.padMode ? [s.o.padMode] : [])],
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// maxpool

interface PoolSpec {
  name: string;
  x: Shape4;
  o: R.MaxPoolOptions;
  data?: 'uniform' | 'negative' | 'ties' | 'nan';
}
const POOLS: PoolSpec[] = [];
{
  const p = (name: string, x: Shape4, o: R.MaxPoolOptions, data: PoolSpec['data'] = 'uniform') => POOLS.push({ name, x, o, data });
  for (const k of [2, 3])
    for (const s of [1, 2, 3]) {
      p(`k${k}-s${s}-same`, [2, 3, 9, 10], { kernel: k, stride: s });
      p(`k${k}-s${s}-valid`, [1, 2, 10, 9], { kernel: k, stride: s, padding: 'valid' });
    }
  p('k3-s2-explicit', [1, 2, 8, 9], { kernel: 3, stride: 2, padding: [1, 1, 0, 1] });
  p('k2-s2-ceil', [1, 2, 7, 9], { kernel: 2, stride: 2, padding: 'valid', ceilMode: true });
  p('k3-s2-ceil', [2, 1, 8, 6], { kernel: 3, stride: 2, padding: 'valid', ceilMode: true });
  p('k3-s3-ceil-explicit', [1, 2, 8, 10], { kernel: 3, stride: 3, padding: [1, 0, 1, 1], ceilMode: true });
  p('k2x3-s1x2', [1, 2, 6, 9], { kernel: [2, 3], stride: [1, 2] });
  p('k2-default-stride', [1, 1, 6, 8], { kernel: 2 });
  p('k3-default-stride', [1, 1, 7, 8], { kernel: 3 });
  p('all-negative-k3-s2', [1, 2, 7, 8], { kernel: 3, stride: 2 }, 'negative');
  p('all-negative-k2-s1-same', [1, 1, 5, 5], { kernel: 2, stride: 1 }, 'negative');
  p('ties-k2-s2', [1, 2, 6, 8], { kernel: 2, stride: 2 }, 'ties');
  p('ties-k3-s1', [1, 1, 6, 6], { kernel: 3, stride: 1 }, 'ties');
  p('ties-k3-s2-ceil', [1, 1, 7, 7], { kernel: 3, stride: 2, padding: 'valid', ceilMode: true }, 'ties');
  p('nan-k2-s2', [1, 2, 6, 6], { kernel: 2, stride: 2 }, 'nan');
  p('nan-k3-s1', [1, 1, 6, 7], { kernel: 3, stride: 1 }, 'nan');
  p('c16-k2-s2', [2, 16, 6, 6], { kernel: 2, stride: 2 });
  // dilation (ONNX MaxPool dilations); appended, so the cases above keep their bytes in maxpool2d.bin
  p('k3-d2-s1-same', [1, 2, 9, 10], { kernel: 3, stride: 1, dilation: 2 });
  p('k2-d2-s2-valid', [2, 2, 9, 9], { kernel: 2, stride: 2, dilation: 2, padding: 'valid' });
  p('k3-d2x3-s1x2-explicit', [1, 2, 10, 12], { kernel: 3, stride: [1, 2], dilation: [2, 3], padding: [2, 2, 3, 1] });
  p('k3-d2-s2-ceil', [1, 2, 10, 9], { kernel: 3, stride: 2, dilation: 2, padding: 'valid', ceilMode: true });
  p('k2x3-d3x2-s2-same', [2, 3, 11, 10], { kernel: [2, 3], stride: 2, dilation: [3, 2] });
  p('ties-k2-d2-s1', [1, 1, 7, 7], { kernel: 2, stride: 1, dilation: 2 }, 'ties');
  p('nan-k3-d2-s1', [1, 1, 8, 8], { kernel: 3, stride: 1, dilation: 2 }, 'nan');
}

function poolData(s: PoolSpec, r: () => number): Float32Array {
  const n = size(s.x);
  switch (s.data) {
    case 'negative':
      return uniform32(n, r).map((v) => -Math.abs(v) - 0.5);
    case 'ties':
      return levels32(n, r, [-1, 0, 0.5, 1]);
    case 'nan': {
      const x = uniform32(n, r);
      for (let i = 0; i < n; i++) if (r() < 0.12) x[i] = NaN;
      return x;
    }
    default:
      return uniform32(n, r);
  }
}

function poolDrafts(): Draft[] {
  const out: Draft[] = [];
  for (const s of POOLS) {
    const id = `maxpool2d/${s.name}`;
    const x = poolData(s, rng(seedOf(id)));
    const { y, indices } = R.refMaxpool2d({ data: x, shape: s.x }, s.o);
    const tags = ['maxpool', s.data ?? 'uniform', ...(s.o.ceilMode ? ['ceil'] : []), ...(s.o.dilation ? ['dilation'] : [])];
    out.push({
      id,
      op: 'maxpool2d',
      title: `maxpool ${s.name}`,
      params: { ...s.o },
      inputs: { x: f32([...s.x], x) },
      expected: { y: f64(y, 1), indices: i32(indices) },
      source: 'generated',
      tags,
      ...(s.data === 'nan' ? { notes: 'NaN windows: value NaN, index of the LAST NaN in row-major scan order (PyTorch CPU rule)' } : {}),
    });
    const idb = `maxpool2dBackward/${s.name}`;
    const dy = uniform32(y.data.length, rng(seedOf(idb)));
    const dx = R.refMaxpool2dBackward({ data: dy, shape: y.shape }, indices, s.x);
    const [kh, kw] = typeof s.o.kernel === 'number' ? [s.o.kernel, s.o.kernel] : s.o.kernel;
    out.push({
      id: idb,
      op: 'maxpool2dBackward',
      title: `maxpool backward ${s.name}`,
      params: { ...s.o, inputShape: [...s.x] },
      inputs: { dy: f32([...y.shape], dy), indices: { dtype: 'int32', shape: indices.shape, data: indices.data } },
      expected: { dx: f64(dx, kh * kw) },
      source: 'generated',
      tags,
      check: { x: f32([...s.x], x) },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// gemm, dense, relu, softmax cross-entropy, sgd

function gemmDrafts(): Draft[] {
  const out: Draft[] = [];
  const specs: { name: string; m: number; n: number; k: number; o: Omit<R.GemmOptions, 'c' | 'bias'>; c?: boolean; bias?: boolean }[] = [
    { name: 'nn', m: 7, n: 9, k: 11, o: {} },
    { name: 'tn', m: 8, n: 5, k: 13, o: { transA: true } },
    { name: 'nt', m: 6, n: 10, k: 7, o: { transB: true } },
    { name: 'tt', m: 9, n: 4, k: 12, o: { transA: true, transB: true } },
    { name: 'alpha-beta-c', m: 5, n: 6, k: 8, o: { alpha: 0.5, beta: 2 }, c: true },
    { name: 'bias', m: 6, n: 7, k: 9, o: {}, bias: true },
    { name: 'tt-alpha-beta-c-bias', m: 4, n: 5, k: 6, o: { transA: true, transB: true, alpha: -1.5, beta: 0.25 }, c: true, bias: true },
    { name: 'long-k-300', m: 3, n: 4, k: 300, o: {} },
    { name: 'vector-1xk', m: 1, n: 17, k: 33, o: { transB: true }, bias: true },
    { name: 'k1-outer', m: 8, n: 9, k: 1, o: {} },
  ];
  for (const s of specs) {
    const id = `gemm/${s.name}`;
    const r = rng(seedOf(id));
    const aShape = s.o.transA ? [s.k, s.m] : [s.m, s.k];
    const bShape = s.o.transB ? [s.n, s.k] : [s.k, s.n];
    const a = uniform32(s.m * s.k, r);
    const b = uniform32(s.k * s.n, r);
    const c = s.c ? uniform32(s.m * s.n, r) : null;
    const bias = s.bias ? uniform32(s.n, r) : null;
    const y = R.refGemm({ data: a, shape: aShape }, { data: b, shape: bShape }, {
      ...s.o,
      c: c ? { data: c, shape: [s.m, s.n] } : null,
      bias: bias ? { data: bias, shape: [s.n] } : null,
    });
    const inputs: Record<string, RawArray> = { a: f32(aShape, a), b: f32(bShape, b) };
    if (c) inputs.c = f32([s.m, s.n], c);
    if (bias) inputs.bias = f32([s.n], bias);
    out.push({ id, op: 'gemm', title: `gemm ${s.name}`, params: { ...s.o }, inputs, expected: { y: f64(y, s.k + 2, Math.max(1, Math.abs(s.o.alpha ?? 1), Math.abs(s.o.beta ?? 0))) }, source: 'generated', tags: ['gemm'] });
  }
  for (const [name, n, fin, fout] of [
    ['32x64x16', 32, 64, 16],
    ['5x7x3', 5, 7, 3],
  ] as const) {
    const id = `dense/${name}`;
    const r = rng(seedOf(id));
    const x = uniform32(n * fin, r);
    const w = uniform32(fin * fout, r);
    const b = uniform32(fout, r);
    const xt = { data: x, shape: [n, fin] };
    const wt = { data: w, shape: [fin, fout] };
    out.push({
      id,
      op: 'dense',
      title: `dense ${name}`,
      params: {},
      inputs: { x: f32([n, fin], x), w: f32([fin, fout], w), b: f32([fout], b) },
      expected: { y: f64(R.refDense(xt, wt, { data: b, shape: [fout] }), fin + 1) },
      source: 'generated',
      tags: ['dense'],
    });
    const idb = `denseBackward/${name}`;
    const dy = uniform32(n * fout, rng(seedOf(idb)));
    const g = R.refDenseBackward(xt, wt, { data: dy, shape: [n, fout] });
    out.push({
      id: idb,
      op: 'denseBackward',
      title: `dense backward ${name}`,
      params: {},
      inputs: { x: f32([n, fin], x), w: f32([fin, fout], w), dy: f32([n, fout], dy) },
      expected: { dx: f64(g.dx, fout), dw: f64(g.dw, n), db: f64(g.db, n) },
      source: 'generated',
      tags: ['dense'],
    });
  }
  return out;
}

function elementwiseDrafts(): Draft[] {
  const out: Draft[] = [];
  {
    const id = 'relu/mixed-with-zeros';
    const r = rng(seedOf(id));
    const x = uniform32(3 * 4 * 5, r);
    for (let i = 0; i < x.length; i += 7) x[i] = 0;
    out.push({ id, op: 'relu', title: 'relu with exact zeros', params: {}, inputs: { x: f32([3, 4, 5], x) }, expected: { y: f64(R.refRelu({ data: x, shape: [3, 4, 5] }), 1) }, source: 'generated', tags: ['relu'] });
    const idb = 'reluBackward/mixed-with-zeros';
    const dy = uniform32(x.length, rng(seedOf(idb)));
    out.push({
      id: idb,
      op: 'reluBackward',
      title: 'relu backward (x = 0 gives 0)',
      params: {},
      inputs: { x: f32([3, 4, 5], x), dy: f32([3, 4, 5], dy) },
      expected: { dx: f64(R.refReluBackward({ data: x, shape: [3, 4, 5] }, { data: dy, shape: [3, 4, 5] }), 1) },
      source: 'generated',
      tags: ['relu'],
    });
  }
  const xent: { name: string; n: number; k: number; scale: number }[] = [
    { name: 'n8-k10', n: 8, k: 10, scale: 3 },
    { name: 'n1-k3', n: 1, k: 3, scale: 1 },
    { name: 'large-logits', n: 4, k: 5, scale: 1000 },
    { name: 'n32-k16', n: 32, k: 16, scale: 5 },
  ];
  for (const s of xent) {
    const id = `softmaxCrossEntropy/${s.name}`;
    const r = rng(seedOf(id));
    const logits = uniform32(s.n * s.k, r, s.scale);
    const labels = new Int32Array(s.n);
    for (let i = 0; i < s.n; i++) labels[i] = Math.floor(r() * s.k);
    const res = R.refSoftmaxCrossEntropy({ data: logits, shape: [s.n, s.k] }, labels);
    out.push({
      id,
      op: 'softmaxCrossEntropy',
      title: `softmax cross-entropy ${s.name}`,
      params: {},
      inputs: { logits: f32([s.n, s.k], logits), labels: { dtype: 'int32', shape: [s.n], data: labels } },
      expected: { loss: f64(res.loss, s.k + s.n, Math.max(1, s.scale / 10)), probs: f64(res.probs, s.k) },
      source: 'generated',
      tags: ['softmax'],
      ...(s.scale >= 100 ? { notes: 'logits in [-1000, 1000): needs the max-subtracted (stable) softmax' } : {}),
    });
    const idb = `softmaxCrossEntropyBackward/${s.name}`;
    const probs = new Float32Array(res.probs.data);
    const g = R.refSoftmaxCrossEntropyBackward({ data: probs, shape: [s.n, s.k] }, labels);
    out.push({
      id: idb,
      op: 'softmaxCrossEntropyBackward',
      title: `softmax cross-entropy backward ${s.name}`,
      params: {},
      inputs: { probs: f32([s.n, s.k], probs), labels: { dtype: 'int32', shape: [s.n], data: labels } },
      expected: { dx: f64(g, 1) },
      source: 'generated',
      tags: ['softmax'],
    });
  }
  const sgd: { name: string; shape: number[]; steps: number; o: R.SgdOptions }[] = [
    { name: 'momentum-decay-6-steps', shape: [4, 5], steps: 6, o: { lr: 0.1, momentum: 0.9, weightDecay: 0.01 } },
    { name: 'plain-5-steps', shape: [7], steps: 5, o: { lr: 0.05 } },
    { name: 'momentum-only-8-steps', shape: [3, 3, 2], steps: 8, o: { lr: 0.2, momentum: 0.5 } },
    { name: 'decay-only-5-steps', shape: [2, 6], steps: 5, o: { lr: 0.3, weightDecay: 0.5 } },
    { name: 'uwnet-like-rate1-5-steps', shape: [16], steps: 5, o: { lr: 1, momentum: 0.9, weightDecay: 0.5 } },
  ];
  for (const s of sgd) {
    const id = `sgd/${s.name}`;
    const r = rng(seedOf(id));
    const n = size(s.shape);
    const w0 = uniform32(n, r);
    const g = uniform32(n * s.steps, r);
    const ws = new Float64Array(n * s.steps);
    const vs = new Float64Array(n * s.steps);
    // the backend holds float32 state between steps: feed the reference the float32-rounded state
    let w = { data: Float64Array.from(w0), shape: s.shape };
    let v = { data: new Float64Array(n), shape: s.shape };
    for (let t = 0; t < s.steps; t++) {
      const res = R.refSgd(w, { data: g.subarray(t * n, (t + 1) * n), shape: s.shape }, v, s.o);
      ws.set(res.w.data, t * n);
      vs.set(res.v.data, t * n);
      w = { data: res.w.data.map(Math.fround), shape: s.shape };
      v = { data: res.v.data.map(Math.fround), shape: s.shape };
    }
    out.push({
      id,
      op: 'sgd',
      title: `sgd ${s.name}`,
      params: { ...s.o, steps: s.steps },
      inputs: { w: f32(s.shape, w0), g: f32([s.steps, ...s.shape], g) },
      expected: {
        w: f64({ data: ws, shape: [s.steps, ...s.shape] }, 4, Math.max(1, s.o.lr * 10)),
        v: f64({ data: vs, shape: [s.steps, ...s.shape] }, 4, 10),
      },
      source: 'generated',
      tags: ['sgd'],
      notes: 'v starts at zero; expected holds w and v after every step; the reference is fed the float32-rounded state of the previous step',
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CONVENTIONS.md worked 2-D example and the uwnet goldens (by name, loaded at run time)

function conventionDrafts(): Draft[] {
  const I = Float32Array.from([
    0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0,
    0, 0, 0, 0,
  ]);
  const K = Float32Array.from([1, 0, 1, 0, 1, 0, 1, 0, 1]);
  const y = R.refConv2d({ data: I, shape: [1, 1, 7, 7] }, { data: K, shape: [1, 1, 3, 3] }, null, { padding: 'valid' });
  const out: Draft[] = [
    {
      id: 'conv2d/conventions-worked-example',
      op: 'conv2d',
      title: 'CONVENTIONS.md worked 2-D example (valid, stride 1, no bias)',
      params: { padding: 'valid' },
      inputs: { x: f32([1, 1, 7, 7], I), w: f32([1, 1, 3, 3], K) },
      expected: { y: f64(y, 9) },
      source: 'conventions',
      tags: ['worked-example'],
    },
  ];
  const filters: [string, number[]][] = [
    ['box-blur', Array(9).fill(1 / 9)],
    ['high-pass', [-1, -1, -1, -1, 8, -1, -1, -1, -1]],
    ['laplace', [0, 1, 0, 1, -4, 1, 0, 1, 0]],
    ['sobel-gx', [-1, 0, 1, -2, 0, 2, -1, 0, 1]],
    ['sobel-gy', [-1, -2, -1, 0, 0, 0, 1, 2, 1]],
    ['emboss', [-2, -1, 0, -1, 1, 1, 0, 1, 2]],
  ];
  const img = uniform32(12 * 11, rng(seedOf('classic-filters')));
  for (const [name, f] of filters) {
    const w = Float32Array.from(f);
    const yy = R.refConv2d({ data: img, shape: [1, 1, 12, 11] }, { data: w, shape: [1, 1, 3, 3] }, null, {});
    out.push({ id: `conv2d/classic-${name}`, op: 'conv2d', title: `classic filter ${name} ('same')`, params: {}, inputs: { x: f32([1, 1, 12, 11], img), w: f32([1, 1, 3, 3], w) }, expected: { y: f64(yy, 9, 8) }, source: 'conventions', tags: ['classic-filter'] });
  }
  {
    const sharpen = new Float32Array(25);
    [0, -1, 0, -1, 5, -1, 0, -1, 0].forEach((v, i) => (sharpen[(1 + Math.floor(i / 3)) * 5 + 1 + (i % 3)] = v));
    const yy = R.refConv2d({ data: img, shape: [1, 1, 12, 11] }, { data: sharpen, shape: [1, 1, 5, 5] }, null, {});
    out.push({ id: 'conv2d/classic-sharpen-5x5', op: 'conv2d', title: "classic sharpen 5x5 ('same')", params: {}, inputs: { x: f32([1, 1, 12, 11], img), w: f32([1, 1, 5, 5], sharpen) }, expected: { y: f64(yy, 25, 5) }, source: 'conventions', tags: ['classic-filter'] });
  }
  return out;
}

function uwnetDrafts(): Draft[] {
  const dog = [1, 3, 48, 64];
  const U = (id: string, op: string, title: string, params: Record<string, unknown>, inputs: Record<string, RawArray>, expected: Record<string, Expected>): Draft => ({
    id,
    op,
    title,
    params,
    inputs,
    expected,
    source: 'uwnet',
    tags: ['uwnet'],
    notes: 'expected values are the uwnet course reference solution (float32 .matrix in ../shared/golden/uwnet); skipped when absent',
  });
  return [
    U('im2col/uwnet-im2col', 'im2col', 'uwnet im2col size 3 stride 2', { kernel: 3, stride: 2 }, { x: uw('dog_chw', dog) }, { y: uwx('im2col', [1, 27, 768], 1) }),
    U('im2col/uwnet-im2col2', 'im2col', 'uwnet im2col size 2 stride 2', { kernel: 2, stride: 2 }, { x: uw('dog_chw', dog) }, { y: uwx('im2col2', [1, 12, 768], 1) }),
    U('col2im/uwnet-col2mat', 'col2im', 'uwnet col2im size 3 stride 2', { kernel: 3, stride: 2, inputShape: dog }, { cols: uw('dcol', [1, 27, 768]) }, { y: uwx('col2mat', dog, 9, 10) }),
    U('col2im/uwnet-col2mat2', 'col2im', 'uwnet col2im size 2 stride 2', { kernel: 2, stride: 2, inputShape: dog }, { cols: uw('dcol2', [1, 12, 768]) }, { y: uwx('col2mat2', dog, 4, 10) }),
    U('conv2d/uwnet-conv', 'conv2d', 'uwnet convolution size 3 stride 1 (same)', {}, { x: uw('conv_x', [10, 16, 32, 64]), w: uw('conv_w', [8, 16, 3, 3]), bias: uw('conv_b', [8]) }, { y: uwx('conv_y', [10, 8, 32, 64], 145) }),
    U('maxpool2d/uwnet-max', 'maxpool2d', 'uwnet maxpool size 2 stride 2 (values only)', { kernel: 2, stride: 2 }, { x: uw('max_x', [10, 16, 32, 64]) }, { y: uwx('max_y', [10, 16, 16, 32], 1) }),
    U('maxpool2d/uwnet-max3', 'maxpool2d', 'uwnet maxpool size 3 stride 2 (values only)', { kernel: 3, stride: 2 }, { x: uw('max_x', [10, 16, 32, 64]) }, { y: uwx('max_y3', [10, 16, 16, 32], 1) }),
    U('maxpool2dBackward/uwnet-max-dx', 'maxpool2dBackward', 'uwnet maxpool size 2 stride 2 then backward with max_dy', { kernel: 2, stride: 2, inputShape: [10, 16, 32, 64] }, { x: uw('max_x', [10, 16, 32, 64]), dy: uw('max_dy', [10, 16, 16, 32]) }, { dx: uwx('max_dx', [10, 16, 32, 64], 4, 10) }),
    U('maxpool2dBackward/uwnet-max3-dx', 'maxpool2dBackward', 'uwnet maxpool size 3 stride 2 then backward with max_dy3', { kernel: 3, stride: 2, inputShape: [10, 16, 32, 64] }, { x: uw('max_x', [10, 16, 32, 64]), dy: uw('max_dy3', [10, 16, 16, 32]) }, { dx: uwx('max_dx3', [10, 16, 32, 64], 9, 10) }),
    U('dense/uwnet-connected', 'dense', 'uwnet connected layer forward y = x w + b', {}, { x: uw('a', [32, 64]), w: uw('b', [64, 16]), b: uw('bias', [16]) }, { y: uwx('out', [32, 16], 65, 100) }),
    U('denseBackward/uwnet-connected', 'denseBackward', 'uwnet connected layer dL/dx = dy w^T', {}, { x: uw('a', [32, 64]), w: uw('b', [64, 16]), dy: uw('dy', [32, 16]) }, { dx: uwx('truth_dx', [32, 64], 16, 100) }),
    U('sgd/uwnet-update', 'sgd', 'uwnet update: w - (truth_dw + 0.5 w), rate 1, decay 0.5 (v = 0, g = truth_dw which already holds m*Delta)', { lr: 1, momentum: 0.9, weightDecay: 0.5, steps: 1 }, { w: uw('b', [64, 16]), g: uw('truth_dw', [1, 64, 16]) }, { w: uwx('updated_w', [1, 64, 16], 2, 1000) }),
  ];
}

// ---------------------------------------------------------------------------------------------
// ops for modern CNNs (issue 20): batch norm, broadcasting add/sub/mul, average and global
// pooling, softmax / log-softmax on an axis. Expected values from the float64 reference, which
// its own tests cross-check against onnxruntime-node.

const perC = (C: number, data: Float32Array): RawArray => f32([C], data);
/** float32 values uniform in [offset - scale, offset + scale). */
const shifted32 = (n: number, r: () => number, scale: number, offset: number) => uniform32(n, r, scale).map((v) => Math.fround(v + offset));

interface BnSpec {
  name: string;
  x: Shape4;
  o: R.BatchNormOptions;
  affine: boolean;
  running: boolean;
  /** x = offset + scale * uniform */
  scale?: number;
  offset?: number;
  tags: string[];
}

const BN: BnSpec[] = [
  { name: 'train-affine-running', x: [4, 3, 5, 6], o: { training: true }, affine: true, running: true, tags: ['training', 'running-stats'] },
  { name: 'train-no-affine-no-running', x: [2, 4, 3, 3], o: { training: true }, affine: false, running: false, tags: ['training', 'no-affine'] },
  { name: 'train-momentum-0.3', x: [3, 2, 4, 4], o: { training: true, momentum: 0.3 }, affine: true, running: true, tags: ['training', 'running-stats', 'momentum'] },
  { name: 'train-onnx-momentum-mode', x: [2, 3, 4, 5], o: { training: true, momentumMode: 'onnx' }, affine: true, running: true, tags: ['training', 'running-stats', 'onnx'] },
  { name: 'train-n1-eps-1e-3', x: [1, 5, 3, 4], o: { training: true, eps: 1e-3 }, affine: true, running: true, tags: ['training', 'eps', 'batch1'] },
  { name: 'train-shifted-data', x: [4, 2, 3, 3], o: { training: true }, affine: true, running: true, scale: 3, offset: 20, tags: ['training', 'running-stats', 'large-mean'] },
  { name: 'train-c16', x: [2, 16, 4, 4], o: { training: true }, affine: true, running: true, tags: ['training', 'c16'] },
  { name: 'train-hw1', x: [8, 3, 1, 1], o: { training: true }, affine: true, running: true, tags: ['training', 'hw1'] },
  { name: 'infer-affine', x: [2, 3, 5, 4], o: {}, affine: true, running: true, tags: ['inference'] },
  { name: 'infer-no-affine-eps-0.1', x: [1, 4, 3, 3], o: { eps: 0.1 }, affine: false, running: true, tags: ['inference', 'no-affine', 'eps'] },
];

function batchNormDrafts(): Draft[] {
  const out: Draft[] = [];
  for (const s of BN) {
    const id = `batchNorm2d/${s.name}`;
    const r = rng(seedOf(id));
    const C = s.x[1];
    const M = s.x[0] * s.x[2] * s.x[3];
    const x = shifted32(size(s.x), r, s.scale ?? 1, s.offset ?? 0);
    const gamma = s.affine ? shifted32(C, r, 0.5, 1) : null;
    const beta = s.affine ? uniform32(C, r) : null;
    const rm = s.running ? uniform32(C, r) : null;
    const rv = s.running ? shifted32(C, r, 0.5, 1) : null;
    const T = (d: Float32Array | null) => (d ? { data: d, shape: [C] } : null);
    const res = R.refBatchNorm2d({ data: x, shape: s.x }, { gamma: T(gamma), beta: T(beta), runningMean: T(rm), runningVar: T(rv) }, s.o);
    const inputs: Record<string, RawArray> = { x: f32([...s.x], x) };
    if (gamma) inputs.gamma = perC(C, gamma);
    if (beta) inputs.beta = perC(C, beta);
    if (rm) inputs.runningMean = perC(C, rm);
    if (rv) inputs.runningVar = perC(C, rv);
    const expected: Record<string, Expected> = { y: f64(res.y, s.o.training ? M : 1) };
    if (s.o.training && res.runningMean && res.runningVar) {
      expected.runningMean = f64(res.runningMean, M);
      expected.runningVar = f64(res.runningVar, M);
    }
    out.push({
      id,
      op: 'batchNorm2d',
      title: `batch norm ${s.name}`,
      params: { ...s.o },
      inputs,
      expected,
      source: 'generated',
      tags: ['batchnorm', ...s.tags],
      ...(s.o.training && s.running ? { notes: 'expected runningMean/runningVar: the statistics after one update from the given ones' } : {}),
    });
    if (!s.o.training) continue;
    const idb = `batchNorm2dBackward/${s.name}`;
    const dy = uniform32(size(s.x), rng(seedOf(idb)));
    const g = R.refBatchNorm2dBackward({ data: x, shape: s.x }, { data: dy, shape: s.x }, T(gamma), { eps: s.o.eps });
    const binputs: Record<string, RawArray> = { x: f32([...s.x], x), dy: f32([...s.x], dy) };
    if (gamma) binputs.gamma = perC(C, gamma);
    out.push({
      id: idb,
      op: 'batchNorm2dBackward',
      title: `batch norm backward ${s.name}`,
      params: s.o.eps !== undefined ? { eps: s.o.eps } : {},
      inputs: binputs,
      expected: { dx: f64(g.dx, M), dgamma: f64(g.dgamma, M), dbeta: f64(g.dbeta, M) },
      source: 'generated',
      tags: ['batchnorm', ...s.tags],
    });
  }
  return out;
}

const BCAST: { name: string; a: number[]; b: number[]; tags: string[] }[] = [
  { name: 'same-shape-residual', a: [2, 8, 6, 6], b: [2, 8, 6, 6], tags: ['same-shape', 'residual'] },
  { name: 'per-channel-c11', a: [2, 3, 4, 5], b: [3, 1, 1], tags: ['per-channel'] },
  { name: 'per-channel-1c11', a: [2, 4, 3, 3], b: [1, 4, 1, 1], tags: ['per-channel'] },
  { name: 'scalar-rank0', a: [2, 3, 4, 5], b: [], tags: ['scalar'] },
  { name: 'scalar-1', a: [3, 2, 5], b: [1], tags: ['scalar'] },
  { name: 'per-channel-first', a: [1, 5, 1, 1], b: [2, 5, 3, 4], tags: ['per-channel', 'a-broadcast'] },
  { name: 'both-broadcast', a: [2, 1, 4, 1], b: [1, 3, 1, 5], tags: ['both-broadcast'] },
  { name: 'row-bias', a: [8, 10], b: [10], tags: ['bias'] },
  { name: 'last-axis-column', a: [2, 3, 4, 5], b: [2, 3, 4, 1], tags: ['inner-broadcast'] },
];

function broadcastDrafts(): Draft[] {
  const out: Draft[] = [];
  const fns = { add: R.refAdd, sub: R.refSub, mul: R.refMul } as const;
  for (const op of ['add', 'sub', 'mul'] as const) {
    for (const s of BCAST) {
      const id = `${op}/${s.name}`;
      const r = rng(seedOf(id));
      const a = uniform32(size(s.a), r);
      const b = uniform32(size(s.b), r);
      const at = { data: a, shape: s.a };
      const bt = { data: b, shape: s.b };
      const y = fns[op](at, bt);
      out.push({ id, op, title: `${op} ${s.name} [${s.a.join(', ')}] and [${s.b.join(', ')}]`, params: {}, inputs: { a: f32(s.a, a), b: f32(s.b, b) }, expected: { y: f64(y, 1) }, source: 'generated', tags: ['broadcast', ...s.tags] });
      const idb = `${op}Backward/${s.name}`;
      const dy = uniform32(size(y.shape), rng(seedOf(idb)));
      const dyt = { data: dy, shape: y.shape };
      const g = op === 'add' ? R.refAddBackward(dyt, s.a, s.b) : op === 'sub' ? R.refSubBackward(dyt, s.a, s.b) : R.refMulBackward(at, bt, dyt);
      const red = (shape: number[]) => size(y.shape) / size(shape);
      out.push({
        id: idb,
        op: `${op}Backward`,
        title: `${op} backward ${s.name}: gradients summed over the broadcast axes`,
        params: op === 'mul' ? {} : { aShape: s.a, bShape: s.b },
        inputs: op === 'mul' ? { a: f32(s.a, a), b: f32(s.b, b), dy: f32(y.shape, dy) } : { dy: f32(y.shape, dy) },
        expected: { da: f64(g.da, red(s.a)), db: f64(g.db, red(s.b)) },
        source: 'generated',
        tags: ['broadcast', 'broadcast-gradient', ...s.tags],
      });
    }
  }
  const sums: { name: string; x: number[]; shape: number[]; alpha?: number }[] = [
    { name: 'to-per-channel', x: [2, 3, 4, 5], shape: [3, 1, 1] },
    { name: 'to-1c11', x: [4, 6, 3, 3], shape: [1, 6, 1, 1] },
    { name: 'to-scalar', x: [2, 3, 4, 5], shape: [] },
    { name: 'to-last-axis', x: [3, 4, 7], shape: [7] },
    { name: 'to-mixed-alpha-neg', x: [2, 3, 4, 5], shape: [2, 1, 4, 1], alpha: -0.5 },
    { name: 'identity', x: [2, 3, 4], shape: [2, 3, 4] },
    { name: 'drop-leading-ones', x: [1, 1, 6], shape: [6] },
  ];
  for (const s of sums) {
    const id = `sumToShape/${s.name}`;
    const x = uniform32(size(s.x), rng(seedOf(id)));
    const y = R.refReduceTo({ data: x, shape: s.x }, s.shape);
    const alpha = s.alpha ?? 1;
    const data = alpha === 1 ? y.data : y.data.map((v) => alpha * v);
    out.push({
      id,
      op: 'sumToShape',
      title: `sumToShape [${s.x.join(', ')}] to [${s.shape.join(', ')}]${alpha !== 1 ? ` times ${alpha}` : ''}`,
      params: { shape: s.shape, ...(s.alpha !== undefined ? { alpha: s.alpha } : {}) },
      inputs: { x: f32(s.x, x) },
      expected: { y: f64({ data, shape: y.shape }, size(s.x) / size(s.shape)) },
      source: 'generated',
      tags: ['broadcast-gradient'],
    });
  }
  return out;
}

interface AvgSpec {
  name: string;
  x: Shape4;
  o: R.AvgPoolOptions;
  tags: string[];
}

const AVG: AvgSpec[] = [];
{
  const a = (name: string, x: Shape4, o: R.AvgPoolOptions, tags: string[]) => AVG.push({ name, x, o, tags });
  a('k2-s2-valid', [2, 3, 8, 8], { kernel: 2, stride: 2, padding: 'valid' }, ['basic']);
  a('k3-s2-same', [1, 2, 9, 9], { kernel: 3, stride: 2 }, ['same']);
  a('k3-s2-same-include-pad', [1, 2, 9, 8], { kernel: 3, stride: 2, countIncludePad: true }, ['same', 'count-include-pad']);
  a('k3-s1-pad1-include-pad', [2, 2, 6, 7], { kernel: 3, stride: 1, padding: 1, countIncludePad: true }, ['explicit', 'count-include-pad']);
  a('k3-s1-pad1-exclude-pad', [2, 2, 6, 7], { kernel: 3, stride: 1, padding: 1 }, ['explicit']);
  a('k3-s2-pad1-ceil-include-pad', [1, 3, 8, 8], { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true }, ['ceil-mode', 'count-include-pad', 'edge-window']);
  a('k3-s2-pad1-ceil-exclude-pad', [1, 3, 8, 8], { kernel: 3, stride: 2, padding: 1, ceilMode: true }, ['ceil-mode', 'edge-window']);
  a('k3-s3-valid-ceil-overhang-include-pad', [1, 2, 8, 7], { kernel: 3, stride: 3, padding: 'valid', ceilMode: true, countIncludePad: true }, ['ceil-mode', 'count-include-pad', 'edge-window', 'overhang']);
  a('k3-s3-valid-ceil-overhang', [1, 2, 8, 7], { kernel: 3, stride: 3, padding: 'valid', ceilMode: true }, ['ceil-mode', 'edge-window', 'overhang']);
  a('k2-s2-ceil-last-window-dropped', [1, 1, 4, 5], { kernel: 2, stride: 2, padding: [0, 1, 0, 1], ceilMode: true, countIncludePad: true }, ['ceil-mode', 'count-include-pad', 'edge-window']);
  a('k2x3-s1x2-asymmetric-pads', [2, 2, 7, 9], { kernel: [2, 3], stride: [1, 2], padding: [0, 1, 2, 1], countIncludePad: true }, ['non-square', 'explicit', 'count-include-pad']);
  a('k3-d2-pad2', [1, 2, 9, 9], { kernel: 3, dilation: 2, stride: 1, padding: 2 }, ['dilation']);
  a('k3-d2-pad2-include-pad', [1, 2, 9, 9], { kernel: 3, dilation: 2, stride: 1, padding: 2, countIncludePad: true }, ['dilation', 'count-include-pad']);
  a('k3-s2-pad1-resnet', [2, 4, 7, 7], { kernel: 3, stride: 2, padding: 1 }, ['resnet']);
  a('k4-s1-same-even', [1, 2, 6, 6], { kernel: 4, stride: 1 }, ['same', 'even']);
  a('kernel-larger-than-image', [1, 2, 3, 3], { kernel: 5, stride: 1, padding: 2 }, ['big-kernel']);
}

// ---------------------------------------------------------------------------------------------
// maxpool1d, avgpool1d, globalMaxPool2d (composites over the 2-D kernels)

interface Pool1dSpec {
  name: string;
  x: [number, number, number];
  o: R.AvgPool1dOptions;
  data?: 'uniform' | 'ties' | 'nan';
  tags: string[];
}
const POOL1D: Pool1dSpec[] = [
  { name: 'k2-s2-valid', x: [2, 3, 12], o: { kernel: 2, stride: 2, padding: 'valid' }, tags: ['basic'] },
  { name: 'k3-s1-same', x: [1, 2, 11], o: { kernel: 3, stride: 1 }, tags: ['same'] },
  { name: 'k3-s2-pad1-include-pad', x: [2, 2, 10], o: { kernel: 3, stride: 2, padding: 1, countIncludePad: true }, tags: ['explicit', 'count-include-pad'] },
  { name: 'k3-s2-ceil', x: [1, 3, 10], o: { kernel: 3, stride: 2, padding: 'valid', ceilMode: true }, tags: ['ceil-mode', 'edge-window'] },
  { name: 'k4-s3-pad-2-1-ceil-include-pad', x: [1, 2, 13], o: { kernel: 4, stride: 3, padding: [2, 1], ceilMode: true, countIncludePad: true }, tags: ['ceil-mode', 'count-include-pad', 'edge-window'] },
  { name: 'k3-d2-s1-same', x: [2, 2, 12], o: { kernel: 3, stride: 1, dilation: 2 }, tags: ['dilation', 'same'] },
  { name: 'k2-d3-s2-explicit', x: [1, 4, 15], o: { kernel: 2, stride: 2, dilation: 3, padding: [1, 2] }, tags: ['dilation', 'explicit'] },
  { name: 'k3-default-stride', x: [1, 1, 14], o: { kernel: 3 }, tags: ['default-stride'] },
  { name: 'ties-k3-s1', x: [1, 2, 12], o: { kernel: 3, stride: 1 }, data: 'ties', tags: ['ties'] },
  { name: 'nan-k3-s2', x: [1, 2, 13], o: { kernel: 3, stride: 2 }, data: 'nan', tags: ['nan'] },
];

function pool1dDrafts(): Draft[] {
  const out: Draft[] = [];
  for (const s of POOL1D) {
    const { countIncludePad, ...mo } = s.o;
    const id = `maxpool1d/${s.name}`;
    const x = poolData({ name: s.name, x: [s.x[0], s.x[1], 1, s.x[2]], o: { kernel: 1 }, data: s.data }, rng(seedOf(id)));
    const { y, indices } = R.refMaxpool1d({ data: x, shape: s.x }, mo);
    const tags = ['maxpool', 'maxpool1d', ...s.tags.filter((t) => t !== 'count-include-pad')];
    out.push({ id, op: 'maxpool1d', title: `maxpool1d ${s.name}`, params: { ...mo }, inputs: { x: f32([...s.x], x) }, expected: { y: f64(y, 1), indices: i32(indices) }, source: 'generated', tags });
    const idb = `maxpool1dBackward/${s.name}`;
    const dy = uniform32(y.data.length, rng(seedOf(idb)));
    const dx = R.refMaxpool1dBackward({ data: dy, shape: y.shape }, indices, s.x);
    out.push({
      id: idb,
      op: 'maxpool1dBackward',
      title: `maxpool1d backward ${s.name}`,
      params: { ...mo, inputShape: [...s.x] },
      inputs: { dy: f32([...y.shape], dy), indices: { dtype: 'int32', shape: indices.shape, data: indices.data } },
      expected: { dx: f64(dx, mo.kernel) },
      source: 'generated',
      tags,
      check: { x: f32([...s.x], x) },
    });
    if (s.data === 'nan' || s.data === 'ties') continue;
    void countIncludePad;
    const ida = `avgpool1d/${s.name}`;
    const xa = uniform32(size(s.x), rng(seedOf(ida)));
    const ya = R.refAvgpool1d({ data: xa, shape: s.x }, s.o);
    const atags = ['avgpool', 'avgpool1d', ...s.tags];
    out.push({ id: ida, op: 'avgpool1d', title: `avgpool1d ${s.name}`, params: { ...s.o }, inputs: { x: f32([...s.x], xa) }, expected: { y: f64(ya, s.o.kernel) }, source: 'generated', tags: atags });
    const idab = `avgpool1dBackward/${s.name}`;
    const dya = uniform32(ya.data.length, rng(seedOf(idab)));
    out.push({
      id: idab,
      op: 'avgpool1dBackward',
      title: `avgpool1d backward ${s.name}`,
      params: { ...s.o, inputShape: [...s.x] },
      inputs: { dy: f32([...ya.shape], dya) },
      expected: { dx: f64(R.refAvgpool1dBackward({ data: dya, shape: ya.shape }, s.x, s.o), s.o.kernel) },
      source: 'generated',
      tags: atags,
    });
  }
  const glob: { name: string; x: Shape4; data?: PoolSpec['data'] }[] = [
    { name: 'n2-c3-5x7', x: [2, 3, 5, 7] },
    { name: 'c16-7x7', x: [1, 16, 7, 7] },
    { name: 'hw1', x: [4, 8, 1, 1] },
    { name: 'row-1x9', x: [2, 2, 1, 9] },
    { name: 'large-plane-32x32', x: [1, 2, 32, 32] },
    { name: 'negative-4x6', x: [1, 3, 4, 6], data: 'negative' },
    { name: 'ties-6x6', x: [2, 2, 6, 6], data: 'ties' },
    { name: 'nan-5x5', x: [1, 4, 5, 5], data: 'nan' },
  ];
  for (const s of glob) {
    const id = `globalMaxPool2d/${s.name}`;
    const x = poolData({ name: s.name, x: s.x, o: { kernel: 1 }, data: s.data }, rng(seedOf(id)));
    const { y, indices } = R.refGlobalMaxPool2d({ data: x, shape: s.x });
    const tags = ['global-pool', 'maxpool', s.data ?? 'uniform'];
    out.push({ id, op: 'globalMaxPool2d', title: `global max pool ${s.name}`, params: {}, inputs: { x: f32([...s.x], x) }, expected: { y: f64(y, 1), indices: i32(indices) }, source: 'generated', tags });
    const idb = `globalMaxPool2dBackward/${s.name}`;
    const dy = uniform32(s.x[0] * s.x[1], rng(seedOf(idb)));
    const dyShape = [s.x[0], s.x[1], 1, 1];
    out.push({
      id: idb,
      op: 'globalMaxPool2dBackward',
      title: `global max pool backward ${s.name}`,
      params: { inputShape: [...s.x] },
      inputs: { dy: f32(dyShape, dy), indices: { dtype: 'int32', shape: indices.shape, data: indices.data } },
      expected: { dx: f64(R.refGlobalMaxPool2dBackward({ data: dy, shape: dyShape }, indices, s.x), 1) },
      source: 'generated',
      tags,
      check: { x: f32([...s.x], x) },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// conv2dTranspose / conv1dTranspose (ONNX ConvTranspose; composites in core)

interface ConvTSpec {
  name: string;
  x: Shape4;
  /** [C, K/groups, kH, kW] */
  w: Shape4;
  o: R.ConvTransposeOptions;
  bias?: boolean;
  tags: string[];
}
const CONVT: ConvTSpec[] = [
  { name: 'k3-s2-pad1-op1', x: [2, 3, 5, 6], w: [3, 4, 3, 3], o: { stride: 2, padding: 1, outputPadding: 1 }, bias: true, tags: ['output-padding'] },
  { name: 'k4-s2-pad1-dcgan', x: [2, 8, 4, 4], w: [8, 4, 4, 4], o: { stride: 2, padding: 1 }, bias: true, tags: ['upsample'] },
  { name: 'same-s2-k4', x: [1, 2, 4, 5], w: [2, 3, 4, 4], o: { stride: 2 }, bias: true, tags: ['same'] },
  { name: 'valid-s1-k3', x: [1, 3, 6, 6], w: [3, 2, 3, 3], o: { padding: 'valid' }, bias: true, tags: ['valid'] },
  { name: 'd2-s1-explicit', x: [1, 2, 5, 5], w: [2, 2, 3, 3], o: { dilation: 2, padding: [1, 2, 0, 1] }, bias: true, tags: ['dilation', 'explicit'] },
  { name: 'groups2-s2-op1', x: [2, 4, 4, 4], w: [4, 3, 3, 3], o: { groups: 2, stride: 2, padding: 'valid', outputPadding: 1 }, bias: true, tags: ['groups', 'output-padding'] },
  { name: 'depthwise-s3-op2x1', x: [1, 3, 3, 4], w: [3, 1, 3, 3], o: { groups: 3, stride: 3, padding: [1, 1, 0, 0], outputPadding: [2, 1] }, bias: true, tags: ['groups', 'depthwise', 'output-padding'] },
  { name: 'd3-s1-op2-past-stride', x: [1, 2, 4, 4], w: [2, 2, 2, 2], o: { dilation: 3, padding: [0, 2, 1, 2], outputPadding: 2 }, bias: true, tags: ['dilation', 'output-padding'] },
  { name: 'k2x3-s2x1-asymmetric', x: [1, 2, 5, 4], w: [2, 2, 2, 3], o: { stride: [2, 1], padding: [0, 1, 1, 1], outputPadding: [1, 0] }, bias: true, tags: ['non-square', 'explicit', 'output-padding'] },
  { name: 'k1-s2-op1-no-bias', x: [2, 4, 3, 3], w: [4, 5, 1, 1], o: { stride: 2, padding: 'valid', outputPadding: 1 }, tags: ['pointwise', 'no-bias'] },
];

interface ConvT1dSpec {
  name: string;
  x: [number, number, number];
  w: [number, number, number];
  o: R.ConvTranspose1dOptions;
}
const CONVT1D: ConvT1dSpec[] = [
  { name: 'k3-s2-pad1-op1', x: [2, 3, 7], w: [3, 4, 3], o: { stride: 2, padding: 1, outputPadding: 1 } },
  { name: 'same-s3-k4', x: [1, 2, 5], w: [2, 2, 4], o: { stride: 3 } },
  { name: 'd2-groups2-valid', x: [1, 4, 6], w: [4, 1, 3], o: { dilation: 2, groups: 2, padding: 'valid' } },
  { name: 'k5-explicit-left-right', x: [2, 2, 8], w: [2, 3, 5], o: { padding: [2, 1] } },
];

function convTransposeDrafts(): Draft[] {
  const out: Draft[] = [];
  const push = (op: '2d' | '1d', name: string, xs: number[], ws: number[], o: Record<string, unknown>, bias: boolean, tags: string[]) => {
    const fwd = op === '2d' ? 'conv2dTranspose' : 'conv1dTranspose';
    const id = `${fwd}/${name}`;
    const r = rng(seedOf(id));
    const x = uniform32(size(xs), r);
    const w = uniform32(size(ws), r);
    const groups = (o.groups as number | undefined) ?? 1;
    const K = ws[1]! * groups;
    const b = bias ? uniform32(K, r) : null;
    const X = { data: x, shape: xs };
    const Wt = { data: w, shape: ws };
    const B = b ? { data: b, shape: [K] } : null;
    const y = op === '2d' ? R.refConv2dTranspose(X, Wt, B, o) : R.refConv1dTranspose(X, Wt, B, o);
    const taps = ws.slice(2).reduce((a, c) => a * c, 1);
    const Cg = xs[1]! / groups;
    out.push({
      id,
      op: fwd,
      title: `${fwd} ${name}`,
      params: { ...o },
      inputs: { x: f32([...xs], x), w: f32([...ws], w), ...(b ? { bias: f32([K], b) } : {}) },
      expected: { y: f64(y, Cg * taps + (b ? 1 : 0)) },
      source: 'generated',
      tags: ['conv-transpose', ...tags],
    });
    const idb = `${fwd}Backward/${name}`;
    const dy = uniform32(y.data.length, rng(seedOf(idb)));
    const DY = { data: dy, shape: y.shape };
    const g = op === '2d' ? R.refConv2dTransposeBackward(X, Wt, DY, o) : R.refConv1dTransposeBackward(X, Wt, DY, o);
    const spatialOut = y.shape.slice(2).reduce((a, c) => a * c, 1);
    const spatialIn = xs.slice(2).reduce((a, c) => a * c, 1);
    out.push({
      id: idb,
      op: `${fwd}Backward`,
      title: `${fwd} backward ${name}`,
      params: { ...o },
      inputs: { x: f32([...xs], x), w: f32([...ws], w), dy: f32([...y.shape], dy) },
      expected: { dx: f64(g.dx, ws[1]! * taps), dw: f64(g.dw, xs[0]! * spatialIn), db: f64(g.db, xs[0]! * spatialOut) },
      source: 'generated',
      tags: ['conv-transpose', ...tags],
    });
  };
  for (const s of CONVT) push('2d', s.name, s.x, s.w, s.o as Record<string, unknown>, !!s.bias, s.tags);
  for (const s of CONVT1D) push('1d', s.name, s.x, s.w, s.o as Record<string, unknown>, true, ['conv1d']);
  return out;
}

function avgpoolDrafts(): Draft[] {
  const out: Draft[] = [];
  for (const s of AVG) {
    const id = `avgpool2d/${s.name}`;
    const x = uniform32(size(s.x), rng(seedOf(id)));
    const y = R.refAvgpool2d({ data: x, shape: s.x }, s.o);
    const k = typeof s.o.kernel === 'number' ? s.o.kernel * s.o.kernel : s.o.kernel[0] * s.o.kernel[1];
    out.push({ id, op: 'avgpool2d', title: `average pool ${s.name}`, params: { ...s.o }, inputs: { x: f32([...s.x], x) }, expected: { y: f64(y, k) }, source: 'generated', tags: ['avgpool', ...s.tags] });
    const idb = `avgpool2dBackward/${s.name}`;
    const dy = uniform32(y.data.length, rng(seedOf(idb)));
    const dx = R.refAvgpool2dBackward({ data: dy, shape: y.shape }, s.x, s.o);
    out.push({
      id: idb,
      op: 'avgpool2dBackward',
      title: `average pool backward ${s.name}`,
      params: { ...s.o, inputShape: [...s.x] },
      inputs: { dy: f32([...y.shape], dy) },
      expected: { dx: f64(dx, k) },
      source: 'generated',
      tags: ['avgpool', ...s.tags],
    });
  }
  const glob: { name: string; x: Shape4 }[] = [
    { name: 'n2-c3-5x7', x: [2, 3, 5, 7] },
    { name: 'c16-7x7', x: [1, 16, 7, 7] },
    { name: 'hw1', x: [4, 8, 1, 1] },
    { name: 'row-1x9', x: [2, 2, 1, 9] },
    { name: 'large-plane-32x32', x: [1, 2, 32, 32] },
  ];
  for (const s of glob) {
    const id = `globalAvgPool2d/${s.name}`;
    const x = uniform32(size(s.x), rng(seedOf(id)));
    const P = s.x[2] * s.x[3];
    out.push({ id, op: 'globalAvgPool2d', title: `global average pool ${s.name}`, params: {}, inputs: { x: f32([...s.x], x) }, expected: { y: f64(R.refGlobalAvgPool2d({ data: x, shape: s.x }), P) }, source: 'generated', tags: ['global-pool'] });
    const idb = `globalAvgPool2dBackward/${s.name}`;
    const dy = uniform32(s.x[0] * s.x[1], rng(seedOf(idb)));
    const dyShape = [s.x[0], s.x[1], 1, 1];
    out.push({
      id: idb,
      op: 'globalAvgPool2dBackward',
      title: `global average pool backward ${s.name}`,
      params: { inputShape: [...s.x] },
      inputs: { dy: f32(dyShape, dy) },
      expected: { dx: f64(R.refGlobalAvgPool2dBackward({ data: dy, shape: dyShape }, s.x), 1) },
      source: 'generated',
      tags: ['global-pool'],
    });
  }
  return out;
}

const SOFTMAX: { name: string; x: number[]; axis?: number; scale?: number }[] = [
  { name: 'rows-last-axis-default', x: [4, 10] },
  { name: 'nchw-channels-axis1', x: [2, 5, 3, 3], axis: 1 },
  { name: 'axis0', x: [3, 4, 5], axis: 0 },
  { name: 'axis-minus2', x: [2, 3, 4, 5], axis: -2 },
  { name: 'rank1', x: [7], axis: 0 },
  { name: 'large-logits', x: [3, 6], axis: -1, scale: 500 },
  { name: 'len1-axis', x: [4, 1, 3], axis: 1 },
];

function softmaxDrafts(): Draft[] {
  const out: Draft[] = [];
  for (const op of ['softmax', 'logSoftmax'] as const) {
    for (const s of SOFTMAX) {
      const id = `${op}/${s.name}`;
      const x = uniform32(size(s.x), rng(seedOf(id)), s.scale ?? 3);
      const xt = { data: x, shape: s.x };
      const axis = s.axis ?? -1;
      const y = op === 'softmax' ? R.refSoftmax(xt, axis) : R.refLogSoftmax(xt, axis);
      const len = s.x[axis < 0 ? axis + s.x.length : axis]!;
      const params = s.axis !== undefined ? { axis: s.axis } : {};
      const big = (s.scale ?? 1) >= 100;
      out.push({
        id,
        op,
        title: `${op} ${s.name}`,
        params,
        inputs: { x: f32(s.x, x) },
        expected: { y: f64(y, len, op === 'logSoftmax' && big ? s.scale! / 10 : undefined) },
        source: 'generated',
        tags: ['softmax-axis'],
        ...(big ? { notes: 'logits up to +-500: needs the max-subtracted (stable) form' } : {}),
      });
      const idb = `${op}Backward/${s.name}`;
      const yf = new Float32Array(y.data);
      const dy = uniform32(size(s.x), rng(seedOf(idb)));
      const g = op === 'softmax' ? R.refSoftmaxBackward({ data: yf, shape: s.x }, { data: dy, shape: s.x }, axis) : R.refLogSoftmaxBackward({ data: yf, shape: s.x }, { data: dy, shape: s.x }, axis);
      out.push({
        id: idb,
        op: `${op}Backward`,
        title: `${op} backward ${s.name} (from the forward's float32 output)`,
        params,
        inputs: { y: f32(s.x, yf), dy: f32(s.x, dy) },
        expected: { dx: f64(g, len) },
        source: 'generated',
        tags: ['softmax-axis'],
      });
    }
  }
  return out;
}

/** Every draft, in a fixed order. */
export function allDrafts(): Draft[] {
  return [...conventionDrafts(), ...convDrafts(), ...conv1dDrafts(), ...colDrafts(), ...poolDrafts(), ...gemmDrafts(), ...elementwiseDrafts(), ...uwnetDrafts(), ...batchNormDrafts(), ...broadcastDrafts(), ...avgpoolDrafts(), ...softmaxDrafts(), ...pool1dDrafts(), ...convTransposeDrafts()];
}
