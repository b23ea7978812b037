/**
 * Independent cross-check of generated cases against TensorFlow.js (tfjs-core + tfjs-backend-cpu,
 * float32). Every configuration tfjs can express is checked; the generator refuses to write when
 * the reference and tfjs disagree.
 *
 * How configurations are expressed (NHWC inside tfjs):
 * - padding: zeros via tf.pad; reflect, replicate and circular by concatenating reversed / edge /
 *   wrapped slices, built from their definitions (not from the reference's index map). tf.mirrorPad
 *   is not used: its gradient in tfjs 4.22 only slices dy and drops the reflected contributions;
 * - conv: stride-1 dilated 'valid' tf.conv2d on the padded input, per group (channel slices), then the
 *   strided outputs picked with tf.gather (tfjs forbids stride > 1 with dilation > 1, and has no groups);
 * - flip: tf.reverse of the kernel; bias: tf.add;
 * - conv backward: tf.grad of sum(conv(x, w) * dy) (+ sum(dy) for the bias);
 * - im2col: conv with one-hot filters (one per (c, ky, kx) row); col2im: tf.grad of <im2col(x), cols>;
 * - maxpool: tf.pad with -Infinity (positions outside are never the max) then 'valid' tf.maxPool with the
 *   extra after-padding that ceil mode implies (dilated: tf.maximum over the taps, each a slice picked at the strides); backward via tf.grad (tie-free data only);
 * - gemm/dense: tf.matMul; relu: tf.relu and tf.grad; softmax cross-entropy: tf.logSoftmax and tf.grad;
 *   sgd: the update written with tf ops.
 * - add/sub/mul: tf ops (their broadcasting) and tf.grads (tfjs sums the broadcast axes); sumToShape: the
 *   gradient of tf.add broadcasting; global average pooling: tf.mean and tf.grad; average pooling: window
 *   sums and divisors by depthwise convs of ones over the padded input and a mask (tfAvgpool); softmax /
 *   log-softmax on an axis: the axis transposed last, tf.softmax / tf.logSoftmax, backward by tf.grad from
 *   logits with the given output; batch norm: tf.moments + tf.batchNorm (NHWC), running statistics with tf
 *   ops, backward by tf.grads through the moments; 1-D pools: the 2-D checks over [N, C, 1, L]; global max
 *   pooling: tf.max and tf.grad (tie-free data); transposed convs: tf.grad of the conv they are the adjoint of
 *   (ONNX's output size, the conv cut to the input), dx and dw through that conv, db = sum(dy).
 * Not expressible (reported with the reason): maxpool indices (tfjs has no argmax with our tie rule),
 * NaN pooling, backward through tied maxima.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as R from '@convkit/reference';
import { toleranceFor, DEFAULT_TOLERANCE } from '@convkit/conformance/tolerance';
import type { Draft, Expected } from './cases.js';
import type { RawArray } from './writer.js';

export async function initTf(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

type T4 = tf.Tensor4D;

function data(a: RawArray): Float32Array | Int32Array | Float64Array {
  if ('uwnet' in a) throw new Error('uwnet arrays are not cross-checked with tfjs');
  return a.data;
}
const nchwToNhwc = (x: T4) => tf.transpose(x, [0, 2, 3, 1]) as T4;
const nhwcToNchw = (x: T4) => tf.transpose(x, [0, 3, 1, 2]) as T4;
const pair = (v: number | readonly [number, number] | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

/** Pads NHWC x on H by [t, b] and W by [l, r] with the given mode, from the mode definitions. */
function pad2d(x: T4, t: number, b: number, l: number, r: number, mode: R.PadMode): T4 {
  if (t === 0 && b === 0 && l === 0 && r === 0) return x;
  if (mode === 'zeros') return tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]);
  const padAxis = (v: T4, axis: 1 | 2, before: number, after: number): T4 => {
    const n = v.shape[axis];
    const parts: T4[] = [];
    const slice = (start: number, len: number) => {
      const begin = [0, 0, 0, 0];
      const size = [-1, -1, -1, -1];
      begin[axis] = start;
      size[axis] = len;
      return tf.slice(v, begin, size) as T4;
    };
    if (mode === 'reflect') {
      // x[p], ..., x[1] | x | x[n-2], ..., x[n-1-q]. Not tf.mirrorPad: its gradient in tfjs 4.22
      // only slices dy (drops the reflected contributions), which this cross-check caught.
      if (before > n - 1 || after > n - 1) throw new Error('reflect padding must be < size');
      if (before) parts.push(tf.reverse(slice(1, before), axis));
      parts.push(v);
      if (after) parts.push(tf.reverse(slice(n - 1 - after, after), axis));
    } else if (mode === 'replicate') {
      for (let i = 0; i < before; i++) parts.push(slice(0, 1));
      parts.push(v);
      for (let i = 0; i < after; i++) parts.push(slice(n - 1, 1));
    } else {
      // circular: the last `before` rows, the image, the first `after` rows (before, after <= n)
      if (before > n || after > n) throw new Error('circular padding larger than the image');
      if (before) parts.push(slice(n - before, before));
      parts.push(v);
      if (after) parts.push(slice(0, after));
    }
    return tf.concat(parts, axis) as T4;
  };
  return padAxis(padAxis(x, 1, t, b), 2, l, r);
}

interface Geo {
  outH: number;
  outW: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Paddings (before, after) such that the padded image holds every window, from reference output sizes. */
function geo(H: number, W: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, padding: R.Padding | undefined, ceil = false): Geo {
  const p = padding ?? 'same';
  const axis = (n: number, k: number, s: number, d: number, pp: 'same' | 'valid' | [number, number]) => {
    const g = R.refOutputSize(n, k, s, d, pp, ceil);
    // after-padding actually needed by the last window (>= 0), trimming unused rows
    const need = (g.out - 1) * s + d * (k - 1) + 1 - n - g.before;
    return { out: g.out, before: g.before, after: need };
  };
  const split = (): ['same' | 'valid' | [number, number], 'same' | 'valid' | [number, number]] => {
    if (p === 'same' || p === 'valid') return [p, p];
    if (typeof p === 'number') return [[p, p], [p, p]];
    return [[p[0], p[1]], [p[2], p[3]]];
  };
  const [ph, pw] = split();
  const a = axis(H, kh, sh, dh, ph);
  const b = axis(W, kw, sw, dw, pw);
  return { outH: a.out, outW: b.out, top: a.before, bottom: a.after, left: b.before, right: b.after };
}

/** Crops (negative padding) or pads. */
function padOrCrop(x: T4, g: Geo, mode: R.PadMode): T4 {
  let v = x;
  const H = v.shape[1];
  const W = v.shape[2];
  const cb = Math.max(0, -g.bottom);
  const cr = Math.max(0, -g.right);
  if (cb || cr) v = tf.slice(v, [0, 0, 0, 0], [-1, H - cb, W - cr, -1]) as T4;
  return pad2d(v, g.top, Math.max(0, g.bottom), g.left, Math.max(0, g.right), mode);
}

function pickStrided(y: T4, sh: number, sw: number, outH: number, outW: number): T4 {
  const ih = tf.tensor1d(Array.from({ length: outH }, (_, i) => i * sh), 'int32');
  const iw = tf.tensor1d(Array.from({ length: outW }, (_, i) => i * sw), 'int32');
  return tf.gather(tf.gather(y, ih, 1), iw, 2) as T4;
}

/**
 * A dilated kernel as an ordinary one with zeros between the taps (tfjs has no conv gradient for
 * dilation > 1): [kh, kw, C, K] -> [(kh-1)*dh+1, (kw-1)*dw+1, C, K], differentiable in w.
 */
function dilateKernel(w: T4, dh: number, dw: number): T4 {
  if (dh === 1 && dw === 1) return w;
  const [kh, kw, c, k] = w.shape;
  const w6 = tf.reshape(w, [kh, 1, kw, 1, c, k]);
  const p6 = tf.pad(w6, [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
  const big = tf.reshape(p6, [kh * dh, kw * dw, c, k]) as T4;
  return tf.slice(big, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, c, k]) as T4;
}

/** conv2d on NCHW tensors with the project's options, built from tfjs ops. */
function tfConv(x: T4, w: T4, o: R.ConvOptions): T4 {
  const [, C, H, W] = x.shape;
  const [K, Cg, kh, kw] = w.shape;
  const groups = o.groups ?? 1;
  const [sh, sw] = pair(o.stride, 1);
  const [dh, dw] = pair(o.dilation, 1);
  const g = geo(H, W, kh, kw, sh, sw, dh, dw, o.padding);
  let wk = w;
  if (o.flip) wk = tf.reverse(wk, [2, 3]);
  const xp = padOrCrop(nchwToNhwc(x), g, o.padMode ?? 'zeros');
  const wh = tf.transpose(wk, [2, 3, 1, 0]) as T4; // [kh, kw, Cg, K]
  const Kg = K / groups;
  const outs: T4[] = [];
  for (let gi = 0; gi < groups; gi++) {
    const xg = tf.slice(xp, [0, 0, 0, gi * Cg], [-1, -1, -1, Cg]) as T4;
    const wg = tf.slice(wh, [0, 0, 0, gi * Kg], [-1, -1, -1, Kg]) as T4;
    outs.push(tf.conv2d(xg, dilateKernel(wg, dh, dw), 1, 'valid'));
  }
  const y = groups === 1 ? outs[0]! : (tf.concat(outs, 3) as T4);
  void C;
  return nhwcToNchw(pickStrided(y, sh, sw, g.outH, g.outW));
}

function tfIm2col(x: T4, o: R.Im2colOptions): tf.Tensor3D {
  const [N, C] = x.shape;
  const [kh, kw] = pair(o.kernel, 1);
  const rows = C * kh * kw;
  const oneHot = new Float32Array(rows * C * kh * kw);
  for (let r = 0; r < rows; r++) oneHot[r * rows + r] = 1; // w[r, c, ky, kx] = [r == (c*kh + ky)*kw + kx]
  const w = tf.tensor4d(oneHot, [rows, C, kh, kw]);
  const y = tfConv(x, w, { stride: o.stride, dilation: o.dilation, padding: o.padding, padMode: o.padMode });
  return tf.reshape(y, [N, rows, y.shape[2] * y.shape[3]]) as tf.Tensor3D;
}

function tfMaxpool(x: T4, o: R.MaxPoolOptions): T4 {
  const [, , H, W] = x.shape;
  const [kh, kw] = pair(o.kernel, 1);
  const [sh, sw] = pair(o.stride ?? o.kernel, 1);
  const [dh, dw] = pair(o.dilation, 1);
  const g = geo(H, W, kh, kw, sh, sw, dh, dw, o.padding, !!o.ceilMode);
  let xp = nchwToNhwc(x);
  const cb = Math.max(0, -g.bottom);
  const cr = Math.max(0, -g.right);
  if (cb || cr) xp = tf.slice(xp, [0, 0, 0, 0], [-1, H - cb, W - cr, -1]) as T4;
  xp = tf.pad(xp, [[0, 0], [g.top, Math.max(0, g.bottom)], [g.left, Math.max(0, g.right)], [0, 0]], -Infinity);
  if (dh === 1 && dw === 1) return nhwcToNchw(tf.maxPool(xp, [kh, kw], [sh, sw], 'valid'));
  // dilated (tf.maxPool has no dilations): the max over the taps, tap (ky, kx) being the strided
  // slice of the padded input from (ky*dh, kx*dw)
  let y: T4 | null = null;
  for (let ky = 0; ky < kh; ky++)
    for (let kx = 0; kx < kw; kx++) {
      const win = tf.slice(xp, [0, ky * dh, kx * dw, 0], [-1, (g.outH - 1) * sh + 1, (g.outW - 1) * sw + 1, -1]) as T4;
      const tap = pickStrided(win, sh, sw, g.outH, g.outW);
      y = y ? (tf.maximum(y, tap) as T4) : tap;
    }
  return nhwcToNchw(y!);
}

export interface CheckResult {
  checked: boolean;
  /** why not, when not checked */
  reason?: string;
  /** one line per disagreement (refuse to write when non-empty) */
  failures: string[];
}

function agree(name: string, got: ArrayLike<number>, e: Expected, failures: string[]): void {
  const exp = data(e);
  const tol = toleranceFor(DEFAULT_TOLERANCE, e);
  const r = R.compare(got, exp, tol);
  if (!r.ok) failures.push(`${name}: ${R.describeMismatch(r, tol)}`);
}

const t4 = (a: RawArray) => tf.tensor4d(data(a) as Float32Array, a.shape as [number, number, number, number]);

const tn = (a: RawArray) => tf.tensor(data(a) as Float32Array, a.shape);

/** f applied along `axis` of v: the axis moved last (tfjs's softmax axis), then moved back. */
function onAxis(v: tf.Tensor, axis: number, f: (u: tf.Tensor) => tf.Tensor): tf.Tensor {
  const r = v.rank;
  const a = axis < 0 ? axis + r : axis;
  if (a === r - 1) return f(v);
  const perm = [...Array(r).keys()].filter((i) => i !== a).concat([a]);
  const inv = perm.map((_, i) => perm.indexOf(i));
  return tf.transpose(f(tf.transpose(v, perm)), inv);
}

/**
 * Average pooling from its definition with tfjs ops: window sums by a depthwise conv of ones over
 * the zero-padded input, divisors by the same conv over a mask (1 on the input, and with
 * countIncludePad on the explicit / 'same' padding too; 0 on the ceil-mode overhang).
 */
function tfAvgpool(x: T4, o: R.AvgPoolOptions): T4 {
  const [, C, H, W] = x.shape;
  const [kh, kw] = pair(o.kernel, 1);
  const [sh, sw] = pair(o.stride ?? o.kernel, 1);
  const [dh, dw] = pair(o.dilation, 1);
  const g = geo(H, W, kh, kw, sh, sw, dh, dw, o.padding, !!o.ceilMode);
  const p = o.padding ?? 'same';
  // the padding the divisor may count on the after side
  const [pb, pr] = p === 'same' ? [Math.max(0, g.bottom), Math.max(0, g.right)] : p === 'valid' ? [0, 0] : typeof p === 'number' ? [p, p] : [p[1], p[3]];
  const B = Math.max(pb, g.bottom);
  const Rr = Math.max(pr, g.right);
  const xp = tf.pad(nchwToNhwc(x), [[0, 0], [g.top, B], [g.left, Rr], [0, 0]]);
  // dilation as a zero-stuffed kernel (tfjs has no depthwise gradient for dilation > 1)
  const sums = tf.depthwiseConv2d(xp, dilateKernel(tf.ones([kh, kw, C, 1]) as T4, dh, dw), [sh, sw], 'valid');
  let mask = tf.ones([1, H, W, 1]) as T4;
  if (o.countIncludePad) mask = tf.pad(mask, [[0, 0], [g.top, pb], [g.left, pr], [0, 0]], 1);
  else mask = tf.pad(mask, [[0, 0], [g.top, pb], [g.left, pr], [0, 0]], 0);
  mask = tf.pad(mask, [[0, 0], [0, B - pb], [0, Rr - pr], [0, 0]], 0);
  const counts = tf.depthwiseConv2d(mask, dilateKernel(tf.ones([kh, kw, 1, 1]) as T4, dh, dw), [sh, sw], 'valid');
  const y = tf.slice(tf.div(sums, counts), [0, 0, 0, 0], [-1, g.outH, g.outW, -1]) as T4;
  return nhwcToNchw(y);
}

/** The conv a transposed conv is the adjoint of, and its output size (ONNX ConvTranspose's formula), written out here. */
function convTGeo(x: T4, w: T4, p: Record<string, any>): { conv: R.ConvOptions; shape: [number, number, number, number] } {
  const [N, , H, W] = x.shape;
  const [, Kg, kh, kw] = w.shape;
  const groups = p.groups ?? 1;
  const [sh, sw] = pair(p.stride, 1);
  const [dh, dw] = pair(p.dilation, 1);
  const [oh, ow] = pair(p.outputPadding, 0);
  const pad = p.padding ?? 'same';
  if (pad === 'same') return { conv: { stride: [sh, sw], dilation: [dh, dw], groups, padding: 'same' }, shape: [N, Kg * groups, H * sh, W * sw] };
  const q: number[] = pad === 'valid' ? [0, 0, 0, 0] : typeof pad === 'number' ? [pad, pad, pad, pad] : pad;
  const outH = (H - 1) * sh - q[0]! - q[1]! + dh * (kh - 1) + oh + 1;
  const outW = (W - 1) * sw - q[2]! - q[3]! + dw * (kw - 1) + ow + 1;
  return { conv: { stride: [sh, sw], dilation: [dh, dw], groups, padding: [q[0]!, q[1]!, q[2]!, q[3]!] }, shape: [N, Kg * groups, outH, outW] };
}

/** conv(z, w) cut to [.., H, W] (outputPadding past a stride gives the conv extra windows). */
function convCut(z: T4, w: T4, conv: R.ConvOptions, H: number, W: number): T4 {
  return tf.slice(tfConv(z, w, conv), [0, 0, 0, 0], [-1, -1, H, W]) as T4;
}

/** Transposed conv as tf.grad of the conv it is the adjoint of: y = d<conv(z, w), x>/dz. */
function tfConvTranspose(x: T4, w: T4, p: Record<string, any>): T4 {
  const g = convTGeo(x, w, p);
  return tf.grad((z: tf.Tensor) => tf.sum(tf.mul(convCut(z as T4, w, g.conv, x.shape[2], x.shape[3]), x)))(tf.zeros(g.shape)) as T4;
}

/** A rank-3 [N, C, L] array as [N, C, 1, L] (rank-4 arrays unchanged). */
function as4(a: RawArray): RawArray {
  if (a.shape.length !== 3) return a;
  return { ...a, shape: [a.shape[0]!, a.shape[1]!, 1, a.shape[2]!] } as RawArray;
}

/** 1-D pool options as the 2-D ones over [N, C, 1, L], written out here (not the reference's helper). */
function pool1dAs2d(p: Record<string, any>): R.MaxPoolOptions & { countIncludePad?: boolean } {
  const k = p.kernel as number;
  const pad = p.padding ?? 'same';
  const padding: R.Padding = pad === 'same' || pad === 'valid' ? pad : typeof pad === 'number' ? [0, 0, pad, pad] : [0, 0, pad[0], pad[1]];
  return { kernel: [1, k], stride: [1, p.stride ?? k], dilation: [1, p.dilation ?? 1], padding, ceilMode: p.ceilMode, countIncludePad: p.countIncludePad };
}

/** 1-D transposed-conv options as the 2-D ones over [N, C, 1, L]. */
function convT1dAs2d(p: Record<string, any>): Record<string, any> {
  const pad = p.padding ?? 'same';
  const padding = pad === 'same' || pad === 'valid' ? pad : typeof pad === 'number' ? [0, 0, pad, pad] : [0, 0, pad[0], pad[1]];
  return { stride: [1, p.stride ?? 1], dilation: [1, p.dilation ?? 1], outputPadding: [0, p.outputPadding ?? 0], groups: p.groups, padding };
}

async function run(d: Draft, failures: string[]): Promise<string | null> {
  const p = d.params as Record<string, any>;
  const I = d.inputs;
  const E = d.expected;
  switch (d.op) {
    case 'conv2d': {
      const x = t4(I.x!);
      const w = t4(I.w!);
      let y = tfConv(x, w, p);
      if (I.bias) y = tf.add(y, tf.reshape(tf.tensor1d(data(I.bias) as Float32Array), [1, -1, 1, 1]));
      agree('y', await y.data(), E.y!, failures);
      return null;
    }
    case 'conv2dBackward': {
      const x = t4(I.x!);
      const w = t4(I.w!);
      const dy = t4(I.dy!);
      const f = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(tfConv(xx as T4, ww as T4, p), dy));
      const [gx, gw] = tf.grads(f)([x, w]);
      agree('dx', await gx!.data(), E.dx!, failures);
      agree('dw', await gw!.data(), E.dw!, failures);
      agree('db', await tf.sum(dy, [0, 2, 3]).data(), E.db!, failures);
      return null;
    }
    case 'conv1d':
    case 'conv1dBackward': {
      const to4 = (a: RawArray) => tf.tensor4d(data(a) as Float32Array, [a.shape[0]!, a.shape[1]!, 1, a.shape[2]!]);
      const pad = p.padding ?? 'same';
      const o: R.ConvOptions = {
        stride: [1, p.stride ?? 1],
        dilation: [1, p.dilation ?? 1],
        padding: pad === 'same' || pad === 'valid' ? pad : typeof pad === 'number' ? [0, 0, pad, pad] : [0, 0, pad[0], pad[1]],
        groups: p.groups,
        padMode: p.padMode,
        flip: p.flip,
      };
      const x = to4(I.x!);
      const w = to4(I.w!);
      if (d.op === 'conv1d') {
        let y = tfConv(x, w, o);
        if (I.bias) y = tf.add(y, tf.reshape(tf.tensor1d(data(I.bias) as Float32Array), [1, -1, 1, 1]));
        agree('y', await y.data(), E.y!, failures);
      } else {
        const dy = to4(I.dy!);
        const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(tfConv(xx as T4, ww as T4, o), dy)))([x, w]);
        agree('dx', await gx!.data(), E.dx!, failures);
        agree('dw', await gw!.data(), E.dw!, failures);
        agree('db', await tf.sum(dy, [0, 2, 3]).data(), E.db!, failures);
      }
      return null;
    }
    case 'im2col': {
      agree('y', await tfIm2col(t4(I.x!), p as R.Im2colOptions).data(), E.y!, failures);
      return null;
    }
    case 'col2im': {
      const shape = p.inputShape as [number, number, number, number];
      const cols = tf.tensor3d(data(I.cols!) as Float32Array, I.cols!.shape as [number, number, number]);
      const x0 = tf.zeros(shape) as T4;
      const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tfIm2col(xx as T4, p as R.Im2colOptions), cols)))(x0);
      agree('y', await g.data(), E.y!, failures);
      return null;
    }
    case 'maxpool2d': {
      if (d.tags.includes('nan')) return 'NaN pooling: tfjs does not propagate NaN the PyTorch way; covered by the reference tests';
      const y = tfMaxpool(t4(I.x!), p as R.MaxPoolOptions);
      agree('y', await y.data(), E.y!, failures);
      return d.tags.includes('ties') ? 'values checked; indices of tied maxima are not expressible in tfjs' : null;
    }
    case 'maxpool2dBackward': {
      if (d.tags.includes('nan') || d.tags.includes('ties')) return 'tied or NaN maxima: tfjs picks its own argmax; covered by the reference tests';
      // recover x from the forward case with the same name
      return 'needs the forward input: checked through the paired maxpool2d case';
    }
    case 'gemm': {
      let a = tf.tensor2d(data(I.a!) as Float32Array, I.a!.shape as [number, number]);
      let b = tf.tensor2d(data(I.b!) as Float32Array, I.b!.shape as [number, number]);
      let y = tf.mul(tf.matMul(a, b, !!p.transA, !!p.transB), p.alpha ?? 1);
      if (I.c && (p.beta ?? 0) !== 0) y = tf.add(y, tf.mul(tf.tensor2d(data(I.c) as Float32Array, I.c.shape as [number, number]), p.beta));
      if (I.bias) y = tf.add(y, tf.tensor1d(data(I.bias) as Float32Array));
      agree('y', await y.data(), E.y!, failures);
      void a;
      void b;
      return null;
    }
    case 'dense': {
      const x = tf.tensor2d(data(I.x!) as Float32Array, I.x!.shape as [number, number]);
      const w = tf.tensor2d(data(I.w!) as Float32Array, I.w!.shape as [number, number]);
      let y = tf.matMul(x, w);
      if (I.b) y = tf.add(y, tf.tensor1d(data(I.b) as Float32Array));
      agree('y', await y.data(), E.y!, failures);
      return null;
    }
    case 'denseBackward': {
      const x = tf.tensor2d(data(I.x!) as Float32Array, I.x!.shape as [number, number]);
      const w = tf.tensor2d(data(I.w!) as Float32Array, I.w!.shape as [number, number]);
      const dy = tf.tensor2d(data(I.dy!) as Float32Array, I.dy!.shape as [number, number]);
      const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D), dy)))([x, w]);
      agree('dx', await gx!.data(), E.dx!, failures);
      agree('dw', await gw!.data(), E.dw!, failures);
      agree('db', await tf.sum(dy, 0).data(), E.db!, failures);
      return null;
    }
    case 'relu': {
      agree('y', await tf.relu(tf.tensor(data(I.x!) as Float32Array)).data(), E.y!, failures);
      return null;
    }
    case 'reluBackward': {
      const x = tf.tensor(data(I.x!) as Float32Array);
      const dy = tf.tensor(data(I.dy!) as Float32Array);
      const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.relu(xx), dy)))(x);
      agree('dx', await g.data(), E.dx!, failures);
      return null;
    }
    case 'softmaxCrossEntropy':
    case 'softmaxCrossEntropyBackward': {
      const src = d.op === 'softmaxCrossEntropy' ? I.logits! : I.probs!;
      const [n, k] = src.shape as [number, number];
      const onehot = tf.oneHot(tf.tensor1d(data(I.labels!) as Int32Array, 'int32'), k);
      if (d.op === 'softmaxCrossEntropy') {
        const logits = tf.tensor2d(data(src) as Float32Array, [n, k]);
        const loss = tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)));
        agree('loss', await loss.data(), E.loss!, failures);
        agree('probs', await tf.softmax(logits).data(), E.probs!, failures);
      } else {
        // the gradient of the mean loss at logits whose softmax is probs: log(probs) are such logits
        const probs = tf.tensor2d(data(src) as Float32Array, [n, k]);
        const g = tf.grad((l: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(l as tf.Tensor2D)), 1))))(tf.log(probs));
        agree('dx', await g.data(), E.dx!, failures);
      }
      return null;
    }
    case 'sgd': {
      const steps = p.steps as number;
      const n = data(I.w!).length;
      let w = tf.tensor1d(data(I.w!) as Float32Array);
      let v = tf.zeros([n]);
      const ws = new Float32Array(n * steps);
      const vs = new Float32Array(n * steps);
      const gAll = data(I.g!) as Float32Array;
      for (let t = 0; t < steps; t++) {
        const g = tf.tensor1d(gAll.subarray(t * n, (t + 1) * n));
        v = tf.add(tf.add(tf.mul(v, p.momentum ?? 0), g), tf.mul(w, p.weightDecay ?? 0));
        w = tf.sub(w, tf.mul(v, p.lr));
        ws.set(await w.data(), t * n);
        vs.set(await v.data(), t * n);
      }
      agree('w', ws, E.w!, failures);
      agree('v', vs, E.v!, failures);
      return null;
    }
    case 'add':
    case 'sub':
    case 'mul': {
      const f = { add: tf.add, sub: tf.sub, mul: tf.mul }[d.op];
      agree('y', await f(tn(I.a!), tn(I.b!)).data(), E.y!, failures);
      return null;
    }
    case 'addBackward':
    case 'subBackward':
    case 'mulBackward': {
      // tf.grads of <op(a, b), dy>: tfjs sums the broadcast axes itself
      const f = { addBackward: tf.add, subBackward: tf.sub, mulBackward: tf.mul }[d.op];
      const dy = tn(I.dy!);
      const [a, b] = d.op === 'mulBackward' ? [tn(I.a!), tn(I.b!)] : [tf.zeros(p.aShape), tf.zeros(p.bShape)];
      const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), dy)))([a!, b!]);
      agree('da', await da!.data(), E.da!, failures);
      agree('db', await db!.data(), E.db!, failures);
      return null;
    }
    case 'sumToShape': {
      // the gradient of y broadcast (by tf.add) to x's shape, dotted with x
      const x = tn(I.x!);
      const g = tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.add(y, tf.zeros(x.shape)), x)))(tf.zeros(p.shape));
      agree('y', await tf.mul(g, p.alpha ?? 1).data(), E.y!, failures);
      return null;
    }
    case 'maxpool1d': {
      if (d.tags.includes('nan')) return 'NaN pooling: tfjs does not propagate NaN the PyTorch way; covered by the reference tests';
      agree('y', await tfMaxpool(t4(as4(I.x!)), pool1dAs2d(p)).data(), E.y!, failures);
      return d.tags.includes('ties') ? 'values checked; indices of tied maxima are not expressible in tfjs' : null;
    }
    case 'maxpool1dBackward':
    case 'globalMaxPool2dBackward': {
      if (d.tags.includes('nan') || d.tags.includes('ties')) return 'tied or NaN maxima: tfjs picks its own argmax; covered by the reference tests';
      const x = t4(as4(d.check!.x));
      const dy = t4(as4(I.dy!));
      const f = (v: T4) => (d.op === 'maxpool1dBackward' ? tfMaxpool(v, pool1dAs2d(p)) : (tf.max(v, [2, 3], true) as T4));
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v as T4), dy)))(x);
      agree('dx', await g.data(), E.dx!, failures);
      return null;
    }
    case 'globalMaxPool2d': {
      if (d.tags.includes('nan')) return 'NaN pooling: tfjs does not propagate NaN the PyTorch way; covered by the reference tests';
      agree('y', await tf.max(t4(I.x!), [2, 3], true).data(), E.y!, failures);
      return d.tags.includes('ties') ? 'values checked; indices of tied maxima are not expressible in tfjs' : null;
    }
    case 'avgpool1d':
      agree('y', await tfAvgpool(t4(as4(I.x!)), pool1dAs2d(p) as R.AvgPoolOptions).data(), E.y!, failures);
      return null;
    case 'avgpool1dBackward': {
      const dy = t4(as4(I.dy!));
      const [n, c, l] = p.inputShape as number[];
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tfAvgpool(x as T4, pool1dAs2d(p) as R.AvgPoolOptions), dy)))(tf.zeros([n!, c!, 1, l!]));
      agree('dx', await g.data(), E.dx!, failures);
      return null;
    }
    case 'conv2dTranspose':
    case 'conv1dTranspose': {
      const p2 = d.op === 'conv1dTranspose' ? convT1dAs2d(p) : p;
      let y = tfConvTranspose(t4(as4(I.x!)), t4(as4(I.w!)), p2);
      if (I.bias) y = tf.add(y, tf.reshape(tn(I.bias), [1, -1, 1, 1])) as T4;
      agree('y', await y.data(), E.y!, failures);
      return null;
    }
    case 'conv2dTransposeBackward':
    case 'conv1dTransposeBackward': {
      const p2 = d.op === 'conv1dTransposeBackward' ? convT1dAs2d(p) : p;
      const x = t4(as4(I.x!));
      const w = t4(as4(I.w!));
      const dy = t4(as4(I.dy!));
      const g = convTGeo(x, w, p2);
      agree('dx', await convCut(dy, w, g.conv, x.shape[2], x.shape[3]).data(), E.dx!, failures);
      const gw = tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(convCut(dy, ww as T4, g.conv, x.shape[2], x.shape[3]), x)))(w);
      agree('dw', await gw.data(), E.dw!, failures);
      agree('db', await tf.sum(dy, [0, 2, 3]).data(), E.db!, failures);
      return null;
    }
    case 'globalAvgPool2d':
      agree('y', await tf.mean(t4(I.x!), [2, 3], true).data(), E.y!, failures);
      return null;
    case 'globalAvgPool2dBackward': {
      const dy = t4(I.dy!);
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.mean(x, [2, 3], true), dy)))(tf.zeros(p.inputShape));
      agree('dx', await g.data(), E.dx!, failures);
      return null;
    }
    case 'avgpool2d':
      agree('y', await tfAvgpool(t4(I.x!), p as R.AvgPoolOptions).data(), E.y!, failures);
      return null;
    case 'avgpool2dBackward': {
      const dy = t4(I.dy!);
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tfAvgpool(x as T4, p as R.AvgPoolOptions), dy)))(tf.zeros(p.inputShape));
      agree('dx', await g.data(), E.dx!, failures);
      return null;
    }
    case 'softmax':
    case 'logSoftmax':
      agree('y', await onAxis(tn(I.x!), p.axis ?? -1, (v) => (d.op === 'softmax' ? tf.softmax(v) : tf.logSoftmax(v))).data(), E.y!, failures);
      return null;
    case 'softmaxBackward':
    case 'logSoftmaxBackward': {
      // a logit vector with this output (softmax(log y) = y; logSoftmax(y) = y), then tf.grad
      const y = tn(I.y!);
      const dy = tn(I.dy!);
      const soft = d.op === 'softmaxBackward';
      const f = (v: tf.Tensor) => onAxis(v, p.axis ?? -1, (u) => (soft ? tf.softmax(u) : tf.logSoftmax(u)));
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), dy)))(soft ? tf.log(y) : y);
      agree('dx', await g.data(), E.dx!, failures);
      return null;
    }
    case 'batchNorm2d': {
      const x = nchwToNhwc(t4(I.x!));
      const C = x.shape[3];
      const M = x.shape[0] * x.shape[1] * x.shape[2];
      const gamma = I.gamma ? tn(I.gamma) : tf.ones([C]);
      const beta = I.beta ? tn(I.beta) : tf.zeros([C]);
      const eps = p.eps ?? 1e-5;
      if (p.training) {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        agree('y', await nhwcToNchw(tf.batchNorm(x, mean, variance, beta, gamma, eps) as T4).data(), E.y!, failures);
        if (E.runningMean) {
          const onnx = p.momentumMode === 'onnx';
          const m = p.momentum ?? (onnx ? 0.9 : 0.1);
          const rm = tn(I.runningMean!);
          const rv = tn(I.runningVar!);
          const unbiased = tf.mul(variance, M / (M - 1));
          const upd = (old: tf.Tensor, batch: tf.Tensor) => (onnx ? tf.add(tf.mul(old, m), tf.mul(batch, 1 - m)) : tf.add(tf.mul(old, 1 - m), tf.mul(batch, m)));
          agree('runningMean', await upd(rm, mean).data(), E.runningMean!, failures);
          agree('runningVar', await upd(rv, onnx ? variance : unbiased).data(), E.runningVar!, failures);
        }
      } else {
        agree('y', await nhwcToNchw(tf.batchNorm(x, tn(I.runningMean!), tn(I.runningVar!), beta, gamma, eps) as T4).data(), E.y!, failures);
      }
      return null;
    }
    case 'batchNorm2dBackward': {
      const x = nchwToNhwc(t4(I.x!));
      const dy = nchwToNhwc(t4(I.dy!));
      const C = x.shape[3];
      const eps = p.eps ?? 1e-5;
      const f = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, [0, 1, 2]);
        return tf.sum(tf.mul(tf.batchNorm(xx as T4, mean, variance, b, g, eps), dy));
      };
      const [dx, dg, db] = tf.grads(f)([x, I.gamma ? tn(I.gamma) : tf.ones([C]), tf.zeros([C])]);
      agree('dx', await nhwcToNchw(dx as T4).data(), E.dx!, failures);
      agree('dgamma', await dg!.data(), E.dgamma!, failures);
      agree('dbeta', await db!.data(), E.dbeta!, failures);
      return null;
    }
    default:
      return `op ${d.op} has no tfjs cross-check`;
  }
}

/** Cross-checks a generated draft; uwnet cases are checked against the course files instead. */
export async function crossCheck(d: Draft): Promise<CheckResult> {
  if (d.source === 'uwnet') return { checked: false, reason: 'uwnet reference solution', failures: [] };
  const failures: string[] = [];
  let reason: string | null = null;
  tf.engine().startScope();
  try {
    reason = await run(d, failures);
  } finally {
    tf.engine().endScope();
  }
  return { checked: reason === null || reason.startsWith('values checked'), ...(reason ? { reason } : {}), failures };
}

/** maxpool backward on tie-free data: tf.grad through the pool, given the forward input. */
export async function crossCheckPoolBackward(x: RawArray, dy: RawArray, o: R.MaxPoolOptions, e: Expected): Promise<string[]> {
  const failures: string[] = [];
  tf.engine().startScope();
  try {
    const xt = t4(x);
    const dyt = t4(dy);
    const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tfMaxpool(xx as T4, o), dyt)))(xt);
    agree('dx', await g.data(), e, failures);
  } finally {
    tf.engine().endScope();
  }
  return failures;
}
