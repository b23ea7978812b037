/**
 * WGSL kernels of the ResNet ops (issue 20) for Engine.wgsl(), one dispatch per op: batch norm
 * (training statistics, normalisation and the running-statistics update in one workgroup per
 * channel; its backward likewise), elementwise add / sub / mul with broadcast strides, sumToShape
 * and global average pooling as row sums, average pooling and its gather-form backward, softmax /
 * log-softmax along an axis and their backward passes.
 *
 * Reductions run in float32 as per-thread partial sums plus a tree: a row (a channel, a slice, an
 * output of sumToShape) of L terms is given one workgroup of RED_WG threads when L is large, each
 * thread adding every RED_WG-th term, and the RED_WG partial sums are then added pairwise in
 * workgroup memory (error O(L/RED_WG + log2 RED_WG) ulps instead of O(L)); short rows are one
 * thread each, adding in order. Geometry is baked into the source as constants.
 */
import type { AvgPool2dParams, AxisParams, BatchNorm2dBackwardParams, BatchNorm2dParams, BroadcastParams, GlobalPool2dParams, SumToShapeParams } from '@convkit/core';
import { lit } from '../source.js';
import { IS_NAN, type Job } from './kernels.js';

/** Threads of a cooperative row reduction (a power of two). */
export const RED_WG = 64;
/** Rows at least this long get a workgroup each; shorter ones a thread each. */
export const COOP_MIN = 32;
const EW_WG = 128;

const F = (x: number) => `f32(${lit(x)})`;
const ro = (b: number, name: string) => `@group(0) @binding(${b}) var<storage, read> ${name}: array<f32>;`;
const rw = (b: number, name: string) => `@group(0) @binding(${b}) var<storage, read_write> ${name}: array<f32>;`;
const bindings = (ins: readonly string[], outs: readonly string[]) =>
  [...ins.map((n, i) => ro(i, n)), ...outs.map((n, i) => rw(ins.length + i, n))].join('\n');

const SPECIAL = `${IS_NAN}
fn isPosInf(v: f32) -> bool { return bitcast<u32>(v) == 0x7f800000u; }
fn isNegInf(v: f32) -> bool { return bitcast<u32>(v) == 0xff800000u; }
// NaN from a runtime zero: a constant NaN is not a valid WGSL f32
fn nanOf(zero: u32) -> f32 { return bitcast<f32>(0x7fc00000u | zero); }`;

function grid(blocks: number, maxGroups: number): [number, number, number] {
  const gx = Math.max(1, Math.min(blocks, maxGroups));
  return [gx, Math.max(1, Math.ceil(blocks / gx)), 1];
}

/**
 * The frame of a kernel over R rows of L terms: cooperative (a workgroup per row, `loop` strides
 * by RED_WG from the thread's lane, `sum`/`max` combine the lanes' partials and give every lane
 * the row's value) or serial (a thread per row, `loop` runs in order, `sum`/`max` are identity).
 * The body sees `row: u32`, `lane: u32` (0 in serial mode) and `zero: u32`.
 */
function rowFrame(R: number, L: number, maxGroups: number, forceCoop?: boolean) {
  const coop = forceCoop ?? L >= COOP_MIN;
  const groups = grid(coop ? R : Math.ceil(R / EW_WG), maxGroups);
  const gx = groups[0];
  const wg = coop ? RED_WG : EW_WG;
  const header = coop
    ? `var<workgroup> redS: array<f32, ${RED_WG}>;
fn wsum(lane: u32, v: f32) -> f32 {
  redS[lane] = v;
  workgroupBarrier();
  for (var s = ${RED_WG / 2}u; s > 0u; s = s >> 1u) {
    if (lane < s) { redS[lane] = redS[lane] + redS[lane + s]; }
    workgroupBarrier();
  }
  let r = redS[0];
  workgroupBarrier();
  return r;
}
fn wmax(lane: u32, v: f32) -> f32 {
  redS[lane] = v;
  workgroupBarrier();
  for (var s = ${RED_WG / 2}u; s > 0u; s = s >> 1u) {
    if (lane < s) { redS[lane] = max(redS[lane], redS[lane + s]); }
    workgroupBarrier();
  }
  let r = redS[0];
  workgroupBarrier();
  return r;
}`
    : '';
  const entry = coop
    ? `@compute @workgroup_size(${RED_WG}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let row = wid.y * ${gx}u + wid.x;
  if (row >= ${R}u) { return; }
  let zero = lane & 0u;`
    : `@compute @workgroup_size(${EW_WG}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = (wid.y * ${gx}u + wid.x) * ${EW_WG}u + li;
  if (row >= ${R}u) { return; }
  let lane = 0u;
  let zero = li & 0u;`;
  return {
    coop,
    groups,
    threads: coop ? R * RED_WG : R,
    header,
    entry,
    loop: (j: string) => (coop ? `for (var ${j} = lane; ${j} < ${L}u; ${j} = ${j} + ${RED_WG}u)` : `for (var ${j} = 0u; ${j} < ${L}u; ${j} = ${j} + 1u)`),
    sum: (v: string) => (coop ? `wsum(lane, ${v})` : v),
    max: (v: string) => (coop ? `wmax(lane, ${v})` : v),
    wg,
  };
}

/** An elementwise frame: one thread per output `t: u32` of `total`. */
function ewFrame(total: number, maxGroups: number) {
  const groups = grid(Math.ceil(total / EW_WG), maxGroups);
  return {
    groups,
    entry: `@compute @workgroup_size(${EW_WG}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = (wid.y * ${groups[0]}u + wid.x) * ${EW_WG}u + li;
  if (t >= ${total}u) { return; }
  let zero = li & 0u;`,
  };
}

/** Index of element m (0 <= m < N*P) of channel c of [N, C, P]. */
const chanAt = (C: number, P: number, m: string) => `((${m} / ${P}u) * ${C}u + c) * ${P}u + ${m} % ${P}u`;

/**
 * Batch norm forward. Training: one workgroup per channel computes the mean and the biased
 * variance (two passes over the channel: sum, then the sum of squared deviations from the mean),
 * writes y and, when running statistics are given, lane 0 writes the updated running mean / var
 * (PyTorch: unbiased variance; ONNX: biased). Inference: one thread per element from the running
 * statistics. Bindings: x, [gamma], [beta], [rm, rv], y, [newRm, newRv].
 */
export function batchNormJob(p: BatchNorm2dParams, affineG: boolean, affineB: boolean, running: boolean, maxGroups: number): Job {
  const { N, C, H, W, eps, momentum, training, momentumMode } = p;
  const P = H * W;
  const M = N * P;
  const size = N * C * P;
  const update = training && running;
  const ins = ['x', ...(affineG ? ['gamma'] : []), ...(affineB ? ['beta'] : []), ...(running ? ['rm', 'rv'] : [])];
  const outs = ['y', ...(update ? ['nrm', 'nrv'] : [])];
  const kOf = (c: string, v: string) => `${affineG ? `gamma[${c}]` : 'f32(1.0)'} / sqrt(${v} + ${F(eps)})`;
  const bOf = (c: string) => (affineB ? `beta[${c}]` : 'f32(0.0)');
  if (!training) {
    const fr = ewFrame(size, maxGroups);
    const wgsl = `// convkit batchNorm2d inference (running statistics), elementwise
${bindings(ins, outs)}
${fr.entry}
  let c = (t / ${P}u) % ${C}u;
  let k = ${kOf('c', 'rv[c]')};
  y[t] = k * (x[t] - rm[c]) + ${bOf('c')};
}
`;
    return { name: 'batchNorm2d.inference', wgsl, inputs: [], groups: fr.groups, threads: size, bytesRead: 4 * (size + size * (2 + (affineG ? 1 : 0) + (affineB ? 1 : 0))), outs: [0] };
  }
  const fr = rowFrame(C, M, maxGroups, true);
  const mom = momentumMode === 'pytorch' ? { old: 1 - momentum, batch: momentum } : { old: momentum, batch: 1 - momentum };
  const upd = update
    ? `  if (lane == 0u) {
    nrm[c] = ${F(mom.old)} * rm[c] + ${F(mom.batch)} * mean;
    ${momentumMode === 'pytorch' ? (M > 1 ? `let vr = ss / ${F(M - 1)};` : 'let vr = nanOf(zero);') : 'let vr = ss / ' + F(M) + ';'}
    nrv[c] = ${F(mom.old)} * rv[c] + ${F(mom.batch)} * vr;
  }`
    : '';
  const wgsl = `// convkit batchNorm2d training: a workgroup per channel (statistics, y, running statistics)
${bindings(ins, outs)}
${SPECIAL}
${fr.header}
${fr.entry}
  let c = row;
  var a: f32 = 0.0;
  ${fr.loop('m')} { a = a + x[${chanAt(C, P, 'm')}]; }
  let mean = ${fr.sum('a')} / ${F(M)};
  var q: f32 = 0.0;
  ${fr.loop('m')} { let d = x[${chanAt(C, P, 'm')}] - mean; q = q + d * d; }
  let ss = ${fr.sum('q')};
  let k = ${kOf('c', `ss / ${F(M)}`)};
  let b = ${bOf('c')};
  ${fr.loop('m')} { let i = ${chanAt(C, P, 'm')}; y[i] = k * (x[i] - mean) + b; }
${upd}
}
`;
  return { name: 'batchNorm2d.training', wgsl, inputs: [], groups: fr.groups, threads: fr.threads, bytesRead: 4 * (3 * size + C * (ins.length - 1)), outs: update ? [0, 1, 2] : [0] };
}

/**
 * Batch norm backward, one workgroup per channel: mean, biased variance, sum(dy) and
 * sum(dy * xhat), then dx; lane 0 writes dgamma = sum(dy * xhat) and dbeta = sum(dy).
 * Bindings: x, dy, [gamma], dx, dgamma, dbeta.
 */
export function batchNormBackwardJob(p: BatchNorm2dBackwardParams, hasGamma: boolean, maxGroups: number): Job {
  const { N, C, H, W, eps } = p;
  const P = H * W;
  const M = N * P;
  const size = N * C * P;
  const fr = rowFrame(C, M, maxGroups, true);
  const wgsl = `// convkit batchNorm2dBackward: a workgroup per channel
${bindings(['x', 'dy', ...(hasGamma ? ['gamma'] : [])], ['dx', 'dgamma', 'dbeta'])}
${fr.header}
${fr.entry}
  let c = row;
  var a: f32 = 0.0;
  ${fr.loop('m')} { a = a + x[${chanAt(C, P, 'm')}]; }
  let mean = ${fr.sum('a')} / ${F(M)};
  var q: f32 = 0.0;
  ${fr.loop('m')} { let d = x[${chanAt(C, P, 'm')}] - mean; q = q + d * d; }
  let inv = f32(1.0) / sqrt(${fr.sum('q')} / ${F(M)} + ${F(eps)});
  var g: f32 = 0.0;
  var gx: f32 = 0.0;
  ${fr.loop('m')} { let i = ${chanAt(C, P, 'm')}; let v = dy[i]; g = g + v; gx = gx + v * (x[i] - mean) * inv; }
  let sdy = ${fr.sum('g')};
  let sdyx = ${fr.sum('gx')};
  let k = ${hasGamma ? 'gamma[c]' : 'f32(1.0)'} * inv;
  let mdy = sdy / ${F(M)};
  let mdyx = sdyx / ${F(M)};
  ${fr.loop('m')} { let i = ${chanAt(C, P, 'm')}; dx[i] = k * (dy[i] - mdy - (x[i] - mean) * inv * mdyx); }
  if (lane == 0u) { dgamma[c] = sdyx; dbeta[c] = sdy; }
}
`;
  return { name: 'batchNorm2dBackward', wgsl, inputs: [], groups: fr.groups, threads: fr.threads, bytesRead: 4 * (3 * size + 2 * size + 2 * size + (hasGamma ? C : 0)), outs: [0, 1, 2] };
}

/** WGSL for the flat operand offset of output t under `strides` (0 along broadcast axes). */
function offsetOf(shape: readonly number[], strides: readonly number[], t: string): string {
  let dense = true;
  let st = 1;
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    if (shape[ax] !== 1 && strides[ax] !== st) dense = false;
    st *= shape[ax]!;
  }
  if (dense) return t;
  const terms: string[] = [];
  let inner = 1;
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    const n = shape[ax]!;
    if (n !== 1 && strides[ax] !== 0) terms.push(`((${t} / ${inner}u) % ${n}u) * ${strides[ax]}u`);
    inner *= n;
  }
  return terms.length ? terms.join(' + ') : '0u';
}

/** y = a (op) b with broadcast strides, one thread per output. Bindings: a, b, y. */
export function binaryJob(op: 'add' | 'sub' | 'mul', p: BroadcastParams, maxGroups: number): Job {
  const fr = ewFrame(p.size, maxGroups);
  const sym = op === 'add' ? '+' : op === 'sub' ? '-' : '*';
  const wgsl = `// convkit ${op} with broadcasting
${bindings(['a', 'b'], ['y'])}
${fr.entry}
  y[t] = a[${offsetOf(p.shape, p.aStrides, 't')}] ${sym} b[${offsetOf(p.shape, p.bStrides, 't')}];
}
`;
  return { name: op, wgsl, inputs: [], groups: fr.groups, threads: p.size, bytesRead: 8 * p.size, outs: [0] };
}

/**
 * y[row] = scale * sum over j < L of x[index(row, j)] (row-sum frame, one dispatch). Bindings: x, y.
 */
export function rowSumJob(name: string, R: number, L: number, index: (row: string, j: string) => string, scale: number, maxGroups: number): Job {
  const fr = rowFrame(R, L, maxGroups);
  const wgsl = `// convkit ${name}: row sums (${fr.coop ? 'a workgroup per row, lane partials + tree' : 'a thread per row'})
${bindings(['x'], ['y'])}
${fr.header}
${fr.entry}
  var a: f32 = 0.0;
  ${fr.loop('j')} { a = a + x[${index('row', 'j')}]; }
  let s = ${fr.sum('a')};
  if (lane == 0u) { y[row] = ${F(scale)} * s; }
}
`;
  return { name, wgsl, inputs: [], groups: fr.groups, threads: fr.threads, bytesRead: 4 * R * L, outs: [0] };
}

/**
 * sumToShape as row sums: row r = an element of y (its coordinates along x's kept axes are
 * (r / yStride) % size), j runs row-major over the reduced axes. Nothing reduced: a scaled copy.
 */
export function sumToShapeJob(p: SumToShapeParams, maxGroups: number): Job {
  const { shape, strides, size, outSize, alpha } = p;
  if (shape.length === 0 || outSize === size) return rowSumJob('sumToShape.copy', size, 1, (r) => r, alpha, maxGroups);
  const xs: number[] = new Array(shape.length);
  let st = 1;
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    xs[ax] = st;
    st *= shape[ax]!;
  }
  const L = size / outSize;
  const index = (r: string, j: string) => {
    const terms: string[] = [];
    let inner = 1;
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      const n = shape[ax]!;
      if (n === 1) continue;
      if (strides[ax] !== 0) terms.push(`((${r} / ${strides[ax]}u) % ${n}u) * ${xs[ax]}u`);
      else {
        terms.push(`((${j} / ${inner}u) % ${n}u) * ${xs[ax]}u`);
        inner *= n;
      }
    }
    return terms.length ? terms.join(' + ') : '0u';
  };
  return rowSumJob('sumToShape', outSize, L, index, alpha, maxGroups);
}

export function globalAvgPoolJob(p: GlobalPool2dParams, maxGroups: number): Job {
  const P = p.H * p.W;
  return rowSumJob('globalAvgPool2d', p.N * p.C, P, (r, j) => `${r} * ${P}u + ${j}`, 1 / P, maxGroups);
}

/** dx[n, c, :, :] = dy[n, c] / (H*W), one thread per element. Bindings: dy, dx. */
export function globalAvgPoolBackwardJob(p: GlobalPool2dParams, maxGroups: number): Job {
  const P = p.H * p.W;
  const size = p.N * p.C * P;
  const fr = ewFrame(size, maxGroups);
  const wgsl = `// convkit globalAvgPool2dBackward
${bindings(['dy'], ['dx'])}
${fr.entry}
  dx[t] = dy[t / ${P}u] / ${F(P)};
}
`;
  return { name: 'globalAvgPool2dBackward', wgsl, inputs: [], groups: fr.groups, threads: size, bytesRead: 4 * size, outs: [0] };
}

/** WGSL fns cntY(oy) / cntX(ox): the divisor factors of average pooling along each axis. */
function avgCounts(p: AvgPool2dParams): string {
  const axis = (name: string, s: number, d: number, k: number, before: number, after: number, n: number) => {
    const lo = p.countIncludePad ? -before : 0;
    const hi = p.countIncludePad ? n + after : n;
    return `fn ${name}(o: i32) -> i32 { var c = 0; for (var j = 0; j < ${k}; j = j + 1) { let t = o * ${s} - ${before} + j * ${d}; if (t >= ${lo} && t < ${hi}) { c = c + 1; } } return c; }`;
  };
  return [
    axis('cntY', p.strideH, p.dilationH, p.kH, p.padTop, p.padBottom, p.inH),
    axis('cntX', p.strideW, p.dilationW, p.kW, p.padLeft, p.padRight, p.inW),
  ].join('\n');
}

/** Average pooling, one thread per output; an empty window (divisor 0) is NaN. Bindings: x, y. */
export function avgpoolJob(p: AvgPool2dParams, maxGroups: number): Job {
  const { N, C, inH: H, inW: W, kH, kW, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const total = N * C * outH * outW;
  const fr = ewFrame(total, maxGroups);
  const wgsl = `// convkit avgpool2d
${bindings(['x'], ['y'])}
${SPECIAL}
${avgCounts(p)}
${fr.entry}
  let ti = i32(t);
  let ox = ti % ${outW};
  let oy = (ti / ${outW}) % ${outH};
  let pl = ti / ${outW * outH};
  var s: f32 = 0.0;
  for (var ky = 0; ky < ${kH}; ky = ky + 1) {
    let iy = oy * ${strideH} - ${padTop} + ky * ${dilationH};
    if (iy >= 0 && iy < ${H}) {
      for (var kx = 0; kx < ${kW}; kx = kx + 1) {
        let ix = ox * ${strideW} - ${padLeft} + kx * ${dilationW};
        if (ix >= 0 && ix < ${W}) { s = s + x[(pl * ${H} + iy) * ${W} + ix]; }
      }
    }
  }
  let dv = cntY(oy) * cntX(ox);
  if (dv == 0) { y[t] = nanOf(zero); } else { y[t] = s / f32(dv); }
}
`;
  return { name: 'avgpool2d', wgsl, inputs: [], groups: fr.groups, threads: total, bytesRead: 4 * total * kH * kW, outs: [0] };
}

/**
 * Average pooling backward in gather form, one thread per input element: dx = sum over the taps
 * (oy, ox, ky, kx) that read it of dy / divisor. Bindings: dy, dx.
 */
export function avgpoolBackwardJob(p: AvgPool2dParams, maxGroups: number): Job {
  const { N, C, inH: H, inW: W, kH, kW, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const total = N * C * H * W;
  const fr = ewFrame(total, maxGroups);
  const wgsl = `// convkit avgpool2dBackward (gather)
${bindings(['dy'], ['dx'])}
${avgCounts(p)}
${fr.entry}
  let ti = i32(t);
  let ix = ti % ${W};
  let iy = (ti / ${W}) % ${H};
  let pl = ti / ${W * H};
  var s: f32 = 0.0;
  for (var ky = 0; ky < ${kH}; ky = ky + 1) {
    let ty = iy + ${padTop} - ky * ${dilationH};
    if (ty >= 0 && ty % ${strideH} == 0 && ty / ${strideH} < ${outH}) {
      let oy = ty / ${strideH};
      for (var kx = 0; kx < ${kW}; kx = kx + 1) {
        let tx = ix + ${padLeft} - kx * ${dilationW};
        if (tx >= 0 && tx % ${strideW} == 0 && tx / ${strideW} < ${outW}) {
          let ox = tx / ${strideW};
          let dv = cntY(oy) * cntX(ox);
          if (dv > 0) { s = s + dy[(pl * ${outH} + oy) * ${outW} + ox] / f32(dv); }
        }
      }
    }
  }
  dx[t] = s;
}
`;
  return { name: 'avgpool2dBackward', wgsl, inputs: [], groups: fr.groups, threads: total, bytesRead: 4 * total * kH * kW, outs: [0] };
}

const sliceBase = (p: AxisParams) => `let base = (row / ${p.inner}u) * ${p.len * p.inner}u + row % ${p.inner}u;`;

/**
 * Softmax / log-softmax along the axis, one slice per workgroup (long axes) or thread: the max of
 * the finite values, the sum of exp(x - max), then the outputs. Specials decided on bit patterns
 * (as @convkit/reference's float64 loops give them): a slice with a NaN or +Infinity, or with every
 * value -Infinity, is NaN throughout; a -Infinity value of a finite slice has probability 0
 * (log-softmax -Infinity). Bindings: x, y.
 */
export function softmaxJob(p: AxisParams, log: boolean, maxGroups: number): Job {
  const R = p.outer * p.inner;
  const { len, inner } = p;
  const fr = rowFrame(R, len, maxGroups);
  const at = (j: string) => `base + ${j} * ${inner}u`;
  const wgsl = `// convkit ${log ? 'logSoftmax' : 'softmax'} along an axis
${bindings(['x'], ['y'])}
${SPECIAL}
${fr.header}
${fr.entry}
  ${sliceBase(p)}
  var mx: f32 = -3.4028234e38;
  var bad: f32 = 0.0;
  var fin: f32 = 0.0;
  ${fr.loop('j')} {
    let v = x[${at('j')}];
    if (isNan(v) || isPosInf(v)) { bad = 1.0; } else if (!isNegInf(v)) { mx = max(mx, v); fin = 1.0; }
  }
  let m = ${fr.max('mx')};
  let nb = ${fr.sum('bad')};
  let nf = ${fr.sum('fin')};
  // no early return: the lanes must all reach the next workgroup sum
  let badSlice = nb > 0.0 || nf == 0.0;
  var a: f32 = 0.0;
  ${fr.loop('j')} { let d = x[${at('j')}] - m; if (!isNegInf(d) && d >= -104.0) { a = a + exp(d); } }
  let s = ${fr.sum('a')};
  ${
    log
      ? `let ls = log(s);
  ${fr.loop('j')} { let d = x[${at('j')}] - m; var r = d - ls; if (badSlice) { r = nanOf(zero); } y[${at('j')}] = r; }`
      : `${fr.loop('j')} { let d = x[${at('j')}] - m; var e: f32 = 0.0; if (!isNegInf(d) && d >= -104.0) { e = exp(d); } var r = e / s; if (badSlice) { r = nanOf(zero); } y[${at('j')}] = r; }`
  }
}
`;
  return { name: log ? 'logSoftmax' : 'softmax', wgsl, inputs: [], groups: fr.groups, threads: fr.threads, bytesRead: 4 * 3 * R * len, outs: [0] };
}

/**
 * Softmax backward dx = y * (dy - sum(dy * y)), log-softmax backward dx = dy - exp(y) * sum(dy),
 * sums along the axis per slice. Bindings: y, dy, dx.
 */
export function softmaxBackwardJob(p: AxisParams, log: boolean, maxGroups: number): Job {
  const R = p.outer * p.inner;
  const { len, inner } = p;
  const fr = rowFrame(R, len, maxGroups);
  const at = (j: string) => `base + ${j} * ${inner}u`;
  const wgsl = `// convkit ${log ? 'logSoftmaxBackward' : 'softmaxBackward'} along an axis
${bindings(['y', 'dy'], ['dx'])}
${fr.header}
${fr.entry}
  ${sliceBase(p)}
  var a: f32 = 0.0;
  ${fr.loop('j')} { let i = ${at('j')}; a = a + dy[i]${log ? '' : ' * y[i]'}; }
  let s = ${fr.sum('a')};
  ${fr.loop('j')} { let i = ${at('j')}; dx[i] = ${log ? 'dy[i] - exp(y[i]) * s' : 'y[i] * (dy[i] - s)'}; }
}
`;
  return { name: log ? 'logSoftmaxBackward' : 'softmaxBackward', wgsl, inputs: [], groups: fr.groups, threads: fr.threads, bytesRead: 4 * 4 * R * len, outs: [0] };
}
