/**
 * The WGSL kernels of the webgpu engine, as dispatch descriptions for Engine.wgsl(): a
 * register-tiled GEMM with its epilogue, convolution forward as an implicit GEMM (no columns
 * tensor: the B tile is gathered from x, every pad mode, stride, dilation, groups, flip), the
 * convolution weight gradient as the same implicit GEMM transposed, and maxpool values + window
 * offsets in one pass. Geometry is baked into the source as constants (one pipeline per op
 * signature, cached by source).
 */
import type { Conv2dParams, GemmParams, MaxPool2dParams, PadMode } from '@convkit/core';
import { lit } from '../source.js';
import type { Dispatch } from './device.js';
import { pickTile, tiledGroups, tiledLoads, tiledSource, tiledThreads, type TiledSpec } from './tiled.js';

/** A WGSL f32 constant. */
function f(x: number): string {
  return `f32(${lit(x)})`;
}

const ro = (b: number, name: string) => `@group(0) @binding(${b}) var<storage, read> ${name}: array<f32>;`;
const rw = (b: number, name: string) => `@group(0) @binding(${b}) var<storage, read_write> ${name}: array<f32>;`;

/** NaN test that no compiler folds away: exponent all ones, mantissa non-zero. */
export const IS_NAN = `fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }`;

/**
 * WGSL for the pad map of one axis: `fn <name>(i: i32) -> i32` returns the in-image coordinate a
 * (possibly out-of-range) coordinate reads, or -1 for zero padding outside the image. Same map as
 * source.ts padMap / core's padIndex (replicate clamps, circular wraps, reflect mirrors without
 * repeating the edge).
 */
export function padFn(name: string, n: number, mode: PadMode): string {
  switch (mode) {
    case 'zeros':
      return `fn ${name}(i: i32) -> i32 { if (i < 0 || i >= ${n}) { return -1; } return i; }`;
    case 'replicate':
      return `fn ${name}(i: i32) -> i32 { return clamp(i, 0, ${n - 1}); }`;
    case 'circular':
      return `fn ${name}(i: i32) -> i32 { return ((i % ${n}) + ${n}) % ${n}; }`;
    case 'reflect':
      if (n === 1) return `fn ${name}(i: i32) -> i32 { return 0; }`;
      return `fn ${name}(i: i32) -> i32 { let j = abs(i) % ${2 * n - 2}; if (j >= ${n}) { return ${2 * n - 2} - j; } return j; }`;
  }
}

export type Job = Dispatch & { outs: readonly number[]; ins?: readonly number[] };

function tiledJob(name: string, s: TiledSpec, extraReads: number, outs: readonly number[]): Job {
  const loads = tiledLoads(s);
  return {
    name,
    wgsl: tiledSource(s),
    inputs: [],
    groups: tiledGroups(s),
    threads: tiledThreads(s),
    bytesRead: 4 * (loads.a + loads.b + extraReads),
    outs,
  };
}

/** True when the tiled grid fits the device's per-dimension workgroup limit. */
export function tiledFits(M: number, N: number, Z: number, maxGroups: number): boolean {
  const t = pickTile(M, N);
  return Math.ceil(N / (t.wx * t.rn)) <= maxGroups && Math.ceil(M / (t.wy * t.rm)) <= maxGroups && Z <= maxGroups;
}

/**
 * C = alpha * op(A) op(B) + beta * C0 + bias[j], one dispatch. Bindings: a, b, [c], [bias], out.
 * C0 is read only when beta != 0 (as the reference: beta = 0 ignores C0, NaN included).
 */
export function gemmJob(p: GemmParams, hasC: boolean, hasBias: boolean): Job {
  const { m, n, k, transA, transB, alpha, beta } = p;
  const useC = hasC && beta !== 0;
  const names = ['a', 'b', ...(useC ? ['c'] : []), ...(hasBias ? ['bias'] : [])];
  const bindings = [...names.map((nm, i) => ro(i, nm)), rw(names.length, 'out')].join('\n');
  let epi = `  var r = ${f(alpha)} * acc;`;
  if (useC) epi += `\n  r = r + ${f(beta)} * c[m * ${n} + n];`;
  if (hasBias) epi += `\n  r = r + bias[n];`;
  epi += `\n  out[m * ${n} + n] = r;`;
  const s: TiledSpec = {
    M: m,
    N: n,
    K: k,
    Z: 1,
    tile: pickTile(m, n),
    bindings,
    loadA: transA ? `  return a[k * ${m} + m];` : `  return a[m * ${k} + k];`,
    loadB: transB ? `  return b[n * ${k} + k];` : `  return b[k * ${n} + n];`,
    store: epi,
    aFast: transA ? 'm' : 'k',
    bFast: transB ? 'k' : 'n',
  };
  return tiledJob('gemm.tiled', s, (useC ? m * n : 0) + (hasBias ? m * n : 0), [0]);
}

/** WGSL that gathers the im2col element (j, q) of image-batch column q from x: declares `v`. */
function gatherX(p: Conv2dParams, j: string, q: string, g: string): string {
  const { C, kH, kW, outH, outW, inH: H, inW: W, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const Cg = C / p.groups;
  const RS = kH * kW;
  const P = outH * outW;
  return `  let c = ${j} / ${RS}; let r = ${j} % ${RS}; let ky = r / ${kW}; let kx = r % ${kW};
  let nb = ${q} / ${P}; let pp = ${q} % ${P}; let oy = pp / ${outW}; let ox = pp % ${outW};
  let iy = padY(oy * ${strideH} - ${padTop} + ky * ${dilationH});
  let ix = padX(ox * ${strideW} - ${padLeft} + kx * ${dilationW});
  var v: f32 = 0.0;
  if (iy >= 0 && ix >= 0) { v = x[((nb * ${C} + ${g} * ${Cg} + c) * ${H} + iy) * ${W} + ix]; }`;
}

/** Flat index of weight (k = g*Kg + m, column j = (c, ky, kx)) in w [K, Cg, kH, kW], flipped when p.flip. */
function wAt(p: Conv2dParams, m: string, j: string, g: string): string {
  const Cg = p.C / p.groups;
  const Kg = p.K / p.groups;
  const RS = p.kH * p.kW;
  const CRSg = Cg * RS;
  if (!p.flip) return `w[(${g} * ${Kg} + ${m}) * ${CRSg} + ${j}]`;
  return `w[(${g} * ${Kg} + ${m}) * ${CRSg} + (${j} / ${RS}) * ${RS} + ${RS - 1} - (${j} % ${RS})]`;
}

function padHelpers(p: Conv2dParams): string {
  return [padFn('padY', p.inH, p.padMode), padFn('padX', p.inW, p.padMode)].join('\n');
}

/**
 * Convolution forward as an implicit GEMM per group g (workgroups along z): y[n, g*Kg + m, p] =
 * bias + sum_j w[g*Kg + m, j] * col[j, (n, p)], M = Kg filters, N = batch * outH * outW columns,
 * K = Cg*kH*kW. The B tile is gathered from x directly (pad map, stride, dilation), so there is no
 * columns tensor and one dispatch. Bindings: x, w, [bias], y.
 */
export function convJob(p: Conv2dParams, hasBias: boolean): Job {
  const Cg = p.C / p.groups;
  const Kg = p.K / p.groups;
  const P = p.outH * p.outW;
  const names = ['x', 'w', ...(hasBias ? ['bias'] : [])];
  const bindings = [...names.map((nm, i) => ro(i, nm)), rw(names.length, 'y')].join('\n');
  const s: TiledSpec = {
    M: Kg,
    N: p.N * P,
    K: Cg * p.kH * p.kW,
    Z: p.groups,
    tile: pickTile(Kg, p.N * P),
    bindings,
    helpers: padHelpers(p),
    loadA: `  return ${wAt(p, 'm', 'k', 'z')};`,
    loadB: `${gatherX(p, 'k', 'n', 'z')}\n  return v;`,
    store: `  let kf = z * ${Kg} + m; let nb = n / ${P}; let pp = n % ${P};
  y[(nb * ${p.K} + kf) * ${P} + pp] = acc${hasBias ? ' + bias[kf]' : ''};`,
    aFast: 'k',
    bFast: 'n',
  };
  return tiledJob('conv2d.implicit-gemm', s, hasBias ? p.N * p.K * P : 0, [0]);
}

/** Workgroups a split-K problem aims for, and the least K per slice worth a workgroup. */
const SPLIT_TARGET_GROUPS = 256;
const SPLIT_MIN_K = 256;

/** Split-K slices for a tiled problem: enough workgroups to fill a large GPU, each slice >= 256 of K, at most 64. */
export function pickSplit(M: number, N: number, Z: number, K: number): number {
  const t = pickTile(M, N);
  const groups = Math.ceil(N / (t.wx * t.rn)) * Math.ceil(M / (t.wy * t.rm)) * Z;
  // partial sums stay within 2^24 elements (64 MiB)
  return Math.max(1, Math.min(Math.ceil(SPLIT_TARGET_GROUPS / groups), Math.floor(K / SPLIT_MIN_K), 64, Math.floor(2 ** 24 / (M * N * Z))));
}

/**
 * Convolution weight gradient as an implicit GEMM per group: dw[g*Kg + m, j] = sum over columns
 * q = (n, p) of dy[n, g*Kg + m, p] * col[j, q]; M = Kg, N = Cg*kH*kW, K = batch * outH * outW. With
 * flip the tap is mirrored on store (the gradient of the flipped kernel, flipped back).
 *
 * M x N is small and K large here, so K is split (pickSplit): the first dispatch writes one
 * partial sum per slice, the second adds the slices in order and stores dw; two dispatches, one
 * submit. Outputs: [dw, partials]; the caller frees the partials. Bindings: x, dy, (partials | dw).
 */
export function convDwJobs(p: Conv2dParams): { jobs: Job[]; outputs: number[] } {
  const Cg = p.C / p.groups;
  const Kg = p.K / p.groups;
  const RS = p.kH * p.kW;
  const CRSg = Cg * RS;
  const P = p.outH * p.outW;
  const K = p.N * P;
  const S = pickSplit(Kg, CRSg, p.groups, K);
  const wSize = p.K * CRSg;
  const tap = (n: string) => (p.flip ? `(${n} / ${RS}) * ${RS} + ${RS - 1} - (${n} % ${RS})` : n);
  const s: TiledSpec = {
    M: Kg,
    N: CRSg,
    K,
    Z: p.groups,
    tile: pickTile(Kg, CRSg),
    bindings: [ro(0, 'x'), ro(1, 'dy'), rw(2, 'dw')].join('\n'),
    helpers: padHelpers(p),
    loadA: `  let nb = k / ${P}; let pp = k % ${P};\n  return dy[(nb * ${p.K} + z * ${Kg} + m) * ${P} + pp];`,
    loadB: `${gatherX(p, 'n', 'k', 'z')}\n  return v;`,
    store: S === 1 ? `  dw[(z * ${Kg} + m) * ${CRSg} + ${tap('n')}] = acc;` : `  dw[((s * ${p.groups} + z) * ${Kg} + m) * ${CRSg} + n] = acc;`,
    aFast: 'k',
    bFast: 'k',
    kSplit: S,
  };
  if (S === 1) return { jobs: [tiledJob('conv2dBackward.dw.implicit-gemm', s, 0, [0])], outputs: [wSize] };
  const WG = 128;
  const blocks = Math.ceil(wSize / WG);
  const reduce = `// convkit split-K reduction: dw = sum of ${S} partial sums, in slice order
${ro(0, 'part')}
${rw(1, 'dw')}
@compute @workgroup_size(${WG}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = i32(gid.x);
  if (t >= ${wSize}) { return; }
  var acc: f32 = 0.0;
  for (var s = 0; s < ${S}; s = s + 1) { acc = acc + part[s * ${wSize} + t]; }
  let n = t % ${CRSg};
  dw[t - n + ${tap('n')}] = acc;
}
`;
  return {
    jobs: [
      tiledJob(`conv2dBackward.dw.implicit-gemm(split-K ${S})`, s, 0, [1]),
      { name: 'conv2dBackward.dw.reduce', wgsl: reduce, inputs: [], ins: [1], outs: [0], groups: [blocks, 1, 1], threads: wSize, bytesRead: 4 * S * wSize },
    ],
    outputs: [wSize, S * wSize],
  };
}

/**
 * Convolution input gradient (zeros padding) as an implicit GEMM per group: dx[n, g*Cg + c, iy, ix]
 * = sum over j = (k, ky, kx) of w[g*Kg + k, c, ky, kx] * dy[n, g*Kg + k, oy, ox] where
 * oy = (iy + padTop - ky*dilationH) / strideH is an integer inside the output (else the term is
 * 0), the same for ox; M = Cg, N = batch * H * W, K = Kg*kH*kW. With flip the tap is mirrored. Other
 * pad modes map padded positions onto image pixels (several taps per pixel) and keep the gpu.js
 * gather kernel. Bindings: w, dy, dx.
 */
export function convDxJob(p: Conv2dParams): Job {
  const { N, C, K, kH, kW, inH: H, inW: W, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const Cg = C / p.groups;
  const Kg = K / p.groups;
  const RS = kH * kW;
  const HW = H * W;
  const wTap = p.flip ? `${RS - 1} - r` : 'r';
  const s: TiledSpec = {
    M: Cg,
    N: N * HW,
    K: Kg * RS,
    Z: p.groups,
    tile: pickTile(Cg, N * HW),
    bindings: [ro(0, 'w'), ro(1, 'dy'), rw(2, 'dx')].join('\n'),
    loadA: `  let kk = k / ${RS}; let r = k % ${RS};\n  return w[((z * ${Kg} + kk) * ${Cg} + m) * ${RS} + ${wTap}];`,
    loadB: `  let kk = k / ${RS}; let r = k % ${RS}; let ky = r / ${kW}; let kx = r % ${kW};
  let nb = n / ${HW}; let pix = n % ${HW}; let iy = pix / ${W}; let ix = pix % ${W};
  let ty = iy + ${padTop} - ky * ${dilationH};
  let tx = ix + ${padLeft} - kx * ${dilationW};
  if (ty < 0 || tx < 0 || ty % ${strideH} != 0 || tx % ${strideW} != 0) { return 0.0; }
  let oy = ty / ${strideH}; let ox = tx / ${strideW};
  if (oy >= ${outH} || ox >= ${outW}) { return 0.0; }
  return dy[((nb * ${K} + z * ${Kg} + kk) * ${outH} + oy) * ${outW} + ox];`,
    store: `  let nb = n / ${HW}; let pix = n % ${HW};\n  dx[(nb * ${C} + z * ${Cg} + m) * ${HW} + pix] = acc;`,
    aFast: 'k',
    bFast: 'n',
  };
  return tiledJob('conv2dBackward.dx.implicit-gemm', s, 0, [0]);
}

const POOL_WG = 128;

/**
 * Max pooling in one pass: each thread scans its window once (row-major, strict '>' so ties keep
 * the first max; a NaN replaces the running max and only a later NaN replaces a NaN, so a NaN
 * window gives NaN and its last NaN's offset; out-of-image positions skipped) and writes both the
 * max and its window offset ky*kW + kx (-1 and -Infinity for a window wholly in the padding).
 * Bindings: x, y, offsets.
 */
export function maxpoolJob(p: MaxPool2dParams, maxGroups: number): Job {
  const { N, C, inH: H, inW: W, kH, kW, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const total = N * C * outH * outW;
  const blocks = Math.ceil(total / POOL_WG);
  const gx = Math.min(blocks, maxGroups);
  const gy = Math.ceil(blocks / gx);
  const wgsl = `// convkit maxpool values + window offsets, one pass
${ro(0, 'x')}
${rw(1, 'y')}
${rw(2, 'off')}
${IS_NAN}
@compute @workgroup_size(${POOL_WG}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = i32((wid.y * ${gx}u + wid.x) * ${POOL_WG}u + li);
  if (t >= ${total}) { return; }
  let ox = t % ${outW};
  let oy = (t / ${outW}) % ${outH};
  let pl = t / ${outW * outH};
  let y0 = oy * ${strideH} - ${padTop};
  let x0 = ox * ${strideW} - ${padLeft};
  let base = pl * ${H * W};
  var best: f32 = 0.0;
  var bi: i32 = -1;
  var bnan = false;
  for (var ky = 0; ky < ${kH}; ky = ky + 1) {
    let iy = y0 + ky * ${dilationH};
    if (iy >= 0 && iy < ${H}) {
      for (var kx = 0; kx < ${kW}; kx = kx + 1) {
        let ix = x0 + kx * ${dilationW};
        if (ix >= 0 && ix < ${W}) {
          let v = x[base + iy * ${W} + ix];
          if (isNan(v)) {
            best = v; bi = ky * ${kW} + kx; bnan = true;
          } else if (!bnan) {
            if (bi < 0 || v > best) { best = v; bi = ky * ${kW} + kx; }
          }
        }
      }
    }
  }
  // -Infinity from a runtime value (bi + 1 = 0 here): a constant -inf is not a valid WGSL f32
  if (bi < 0) { best = bitcast<f32>(0xff800000u | u32(bi + 1)); }
  y[t] = best;
  off[t] = f32(bi);
}
`;
  // each in-image window position is loaded once per output (the 2x2/2 case: each input once)
  let loads = 0;
  const span = (o: number, s: number, d: number, pad: number, k: number, n: number) => {
    let c = 0;
    for (let i = 0; i < o; i++) for (let kk = 0; kk < k; kk++) {
      const at = i * s - pad + kk * d;
      if (at >= 0 && at < n) c++;
    }
    return c;
  };
  loads = N * C * span(outH, strideH, dilationH, padTop, kH, H) * span(outW, strideW, dilationW, padLeft, kW, W);
  return { name: 'maxpool2d.values+offsets', wgsl, inputs: [], groups: [gx, gy, 1], threads: total, bytesRead: 4 * loads, outs: [0, 1] };
}

const XENT_WG = 64;

/** f32 special-value tests on the bit pattern (exponent all ones), which no compiler folds away. */
const IS_SPECIAL = `${IS_NAN}
fn isPosInf(v: f32) -> bool { return bitcast<u32>(v) == 0x7f800000u; }
fn isNegInf(v: f32) -> bool { return bitcast<u32>(v) == 0xff800000u; }
// NaN / +Infinity from a runtime zero: a constant NaN or Infinity is not a valid WGSL f32
fn nanOf(zero: u32) -> f32 { return bitcast<f32>(0x7fc00000u | zero); }
fn infOf(zero: u32) -> f32 { return bitcast<f32>(0x7f800000u | zero); }`;

/**
 * Softmax cross-entropy forward, two dispatches in one pass. Rows: one thread per row scans it
 * (max, sum of exp(x - max)), writes the row's probabilities and its loss term
 * log(sum) - (x[label] - max). The loss: one thread adds the row terms in row order and divides
 * by n. IEEE specials are decided on the bit pattern, not by float comparisons (a WGSL compiler may
 * assume finite floats and fold `v != v` or `v > mx` with NaN / Infinity away), as
 * @convkit/reference's plain float64 loops give them: a row with a NaN or a +Infinity logit, or with
 * every logit -Infinity, is NaN in every probability and in its loss term (exp(Inf - Inf) = NaN);
 * a -Infinity logit of an otherwise finite row has probability 0 and, as the label, a +Infinity loss
 * term; any NaN term makes the loss NaN, else any +Infinity term +Infinity. A label outside
 * [0, classes) gives a NaN term (core rejects such labels before the kernel runs). Labels arrive
 * as small floats (device.ts labels()). Bindings: rows: x, lab, probs, terms; loss: terms, loss.
 */
export function softmaxXentJobs(n: number, K: number, maxGroups: number): Job[] {
  const blocks = Math.ceil(n / XENT_WG);
  const gx = Math.min(blocks, maxGroups);
  const gy = Math.ceil(blocks / gx);
  const rows = `// convkit softmax cross-entropy: probabilities and per-row loss terms
${ro(0, 'x')}
${ro(1, 'lab')}
${rw(2, 'probs')}
${rw(3, 'terms')}
${IS_SPECIAL}
@compute @workgroup_size(${XENT_WG}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let r = (wid.y * ${gx}u + wid.x) * ${XENT_WG}u + li;
  if (r >= ${n}u) { return; }
  let zero = r & 0u;
  let base = r * ${K}u;
  var mx: f32 = 0.0;
  var finite = 0u;
  var bad = false;
  for (var j = 0u; j < ${K}u; j = j + 1u) {
    let v = x[base + j];
    if (isNan(v) || isPosInf(v)) { bad = true; }
    else if (!isNegInf(v)) {
      if (finite == 0u || v > mx) { mx = v; }
      finite = finite + 1u;
    }
  }
  if (bad || finite == 0u) {
    let q = nanOf(zero);
    for (var j = 0u; j < ${K}u; j = j + 1u) { probs[base + j] = q; }
    terms[r] = q;
    return;
  }
  var s: f32 = 0.0;
  for (var j = 0u; j < ${K}u; j = j + 1u) {
    let d = x[base + j] - mx;
    if (!isNegInf(d) && d >= -104.0) { s = s + exp(d); }
  }
  for (var j = 0u; j < ${K}u; j = j + 1u) {
    let d = x[base + j] - mx;
    var e: f32 = 0.0;
    if (!isNegInf(d) && d >= -104.0) { e = exp(d); }
    probs[base + j] = e / s;
  }
  let l = lab[r];
  if (!(l >= 0.0 && l < ${f(K)}) || isNan(l)) { terms[r] = nanOf(zero); return; }
  let d = x[base + u32(l)] - mx;
  if (isNegInf(d)) { terms[r] = infOf(zero); } else { terms[r] = log(s) - d; }
}
`;
  const loss = `// convkit softmax cross-entropy: mean of the row terms, in row order
${ro(0, 'terms')}
${rw(1, 'loss')}
${IS_SPECIAL}
@compute @workgroup_size(1, 1, 1)
fn main(@builtin(local_invocation_index) li: u32) {
  let zero = li & 0u;
  var total: f32 = 0.0;
  var nan = false;
  var inf = false;
  for (var r = 0u; r < ${n}u; r = r + 1u) {
    let v = terms[r];
    if (isNan(v)) { nan = true; } else if (isPosInf(v)) { inf = true; } else { total = total + v; }
  }
  var out = total / ${f(n)};
  if (nan) { out = nanOf(zero); } else if (inf || isPosInf(out)) { out = infOf(zero); }
  loss[0] = out;
}
`;
  return [
    { name: 'softmaxCrossEntropy.rows', wgsl: rows, inputs: [], groups: [gx, gy, 1], threads: n, bytesRead: 4 * (3 * n * K + 2 * n), outs: [0, 1] },
    { name: 'softmaxCrossEntropy.loss', wgsl: loss, inputs: [], groups: [1, 1, 1], threads: 1, bytesRead: 4 * n, ins: [1], outs: [2] },
  ];
}
