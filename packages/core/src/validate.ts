import {
  ShapeOverflowError,
  ValidationError,
  BackendMismatchError,
  DisposedTensorError,
  UnknownOptionError,
  type ShapeMap,
} from './errors.js';
import { MAX_ELEMENTS, sizeOf, type DType, type Tensor } from './tensor.js';
import type { KernelBackend, MaxPool2dParams } from './backend.js';
import { axisGeometry, broadcastShape, PAD_MODES, type PadMode, type Padding, type Window2d } from './geometry.js';

/** Shapes of the tensor arguments of one call, for error messages. */
export function shapesOf(args: Record<string, Tensor | null | undefined>): ShapeMap {
  const out: ShapeMap = {};
  for (const [k, t] of Object.entries(args)) if (t) out[k] = t.shape;
  return out;
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * A value as it was passed, for error messages: JSON-like, but NaN, Infinity, undefined and holes
 * print as themselves (`[NaN,3,8,8]`, `[1,undefined]`), not as null.
 */
export function formatValue(v: unknown, depth = 0): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'boolean' || typeof v === 'symbol') return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) {
    if (depth > 2) return '[...]';
    const items: string[] = [];
    for (let i = 0; i < Math.min(v.length, 16); i++) items.push(i in v ? formatValue(v[i], depth + 1) : 'empty');
    return `[${items.join(',')}${v.length > 16 ? `,... (${v.length} items)` : ''}]`;
  }
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  const name = (v as object).constructor?.name;
  if (name && name !== 'Object') return `a ${name}`;
  if (depth > 1) return '{...}';
  return `{ ${Object.entries(v as object)
    .slice(0, 8)
    .map(([k, x]) => `${k}: ${formatValue(x, depth + 1)}`)
    .join(', ')} }`;
}

/** Levenshtein distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known key nearest to `key` by edit distance (first in `known` on a tie); undefined if none. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = editDistance(key, k);
    if (dist < bestD) {
      best = k;
      bestD = dist;
    }
  }
  return best;
}

/**
 * An options object: undefined (no options) or a plain object whose every own key is in `known`.
 * An unknown key throws UnknownOptionError naming it and the nearest known key, so that a typo such
 * as `{ paddding: 0 }` or `{ strides: 2 }` never runs with the defaults. `arg` prefixes the key
 * in the error (`backendOptions` gives arg 'backendOptions.mdoe').
 */
export function checkOptions(
  op: string,
  o: unknown,
  known: readonly string[],
  shapes: ShapeMap = {},
  arg = 'options',
): void {
  if (o === undefined) return;
  if (o === null || typeof o !== 'object' || Array.isArray(o) || ArrayBuffer.isView(o)) {
    throw new ValidationError(op, arg, 'an options object', formatValue(o), shapes);
  }
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) {
      const argName = arg === 'options' ? key : `${arg}.${key}`;
      throw new UnknownOptionError(op, argName, key, known, nearestKey(key, known), shapes);
    }
  }
}

/**
 * Class labels of a softmax cross-entropy: each in [0, classes). A label outside gives NaN loss
 * and drops the one-hot term of the gradient on every backend, so it is refused before any work,
 * naming the first bad sample and its label.
 */
export function checkLabels(op: string, labels: Int32Array, classes: number, shapes: ShapeMap): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v < 0 || v >= classes) {
      throw new ValidationError(op, 'labels', `every label in [0, ${classes}) (classes = ${classes})`, `label ${v} at sample ${i}`, shapes);
    }
  }
}

/**
 * Max-pool indices for maxpool2dBackward: each a flat index into x (as maxpool2d returns) that
 * lies inside its own output's pooling window, or -1 for a window with no position inside the
 * image. Backends call it on the host copy of the indices before allocating dx, so that an index
 * outside its window is the same ValidationError on every backend (a scatter kernel would drop or
 * misroute the gradient; a gather kernel cannot route it at all). Shapes default to those the
 * geometry implies.
 */
export function checkPoolIndices(
  op: string,
  indices: Int32Array,
  p: MaxPool2dParams,
  shapes: ShapeMap = {
    dy: [p.N, p.C, p.outH, p.outW],
    indices: [p.N, p.C, p.outH, p.outW],
    inputShape: [p.N, p.C, p.inH, p.inW],
  },
): void {
  const { N, C, inH, inW, outH, outW, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const plane = inH * inW;
  const spanH = dilationH * (kH - 1) + 1;
  const spanW = dilationW * (kW - 1) + 1;
  const dil1 = dilationH === 1 && dilationW === 1;
  let o = 0;
  // integer math only, one division per output: this runs on every maxpool2dBackward
  for (let pl = 0; pl < N * C; pl++) {
    const base = pl * plane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++, o++) {
        const v = indices[o]!;
        const r = v - base;
        if (r >= 0 && r < plane) {
          const iy = (r / inW) | 0;
          const ddy = iy - y0;
          const ddx = r - iy * inW - (ox * strideW - padLeft);
          if (ddy >= 0 && ddy < spanH && ddx >= 0 && ddx < spanW && (dil1 || (ddy % dilationH === 0 && ddx % dilationW === 0))) continue;
        } else if (v === -1) {
          continue;
        }
        throw poolIndexError(op, v, o, pl, oy, ox, p, shapes);
      }
    }
  }
}

/** The error of checkPoolIndices, out of its hot loop. */
function poolIndexError(op: string, v: number, o: number, pl: number, oy: number, ox: number, p: MaxPool2dParams, shapes: ShapeMap): ValidationError {
  const { C, inH, inW, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const plane = inH * inW;
  const base = pl * plane;
  const y0 = oy * strideH - padTop;
  const x0 = ox * strideW - padLeft;
  const n = Math.floor(pl / C);
  const c = pl - n * C;
  const rows = `${Math.max(0, y0)}..${Math.min(inH - 1, y0 + dilationH * (kH - 1))}`;
  const cols = `${Math.max(0, x0)}..${Math.min(inW - 1, x0 + dilationW * (kW - 1))}`;
  return new ValidationError(
    op,
    'indices',
    'each index inside its own pooling window (a flat index into x as maxpool2d returns it, or -1 for an empty window)',
    `index ${v} at output ${o} (sample ${n}, channel ${c}, y ${oy}, x ${ox}), whose window covers rows ${rows}, columns ${cols} of plane ${pl} (flat ${base}..${base + plane - 1})`,
    shapes,
  );
}

export interface TensorRule {
  dtype?: DType;
  rank?: number | readonly number[];
}

/** Liveness, ownership, dtype and rank of one tensor argument. */
export function checkTensor(
  op: string,
  arg: string,
  t: Tensor | null | undefined,
  backend: KernelBackend,
  rule: TensorRule,
  shapes: ShapeMap,
): void {
  if (t === null || t === undefined || typeof t !== 'object' || !('dataId' in t)) {
    throw new ValidationError(op, arg, 'a Tensor', formatValue(t), shapes);
  }
  if (t.isDisposed) {
    // every tensor argument's shape in the message, not only the disposed one's
    throw new DisposedTensorError(op, arg, 'a live tensor', `tensor #${t.id} after dispose()`, shapes);
  }
  if (t.backend !== backend) {
    throw new BackendMismatchError(
      op,
      arg,
      `a tensor of this context (backend '${backend.name}')`,
      t.backend.name === backend.name
        ? `a tensor of another context of backend '${t.backend.name}' (tensors cannot be shared between contexts)`
        : `a tensor owned by backend '${t.backend.name}'`,
      shapes,
    );
  }
  if (rule.dtype && t.dtype !== rule.dtype) {
    throw new ValidationError(op, arg, `dtype ${rule.dtype}`, `dtype ${t.dtype}`, shapes);
  }
  if (rule.rank !== undefined) {
    const ranks = typeof rule.rank === 'number' ? [rule.rank] : rule.rank;
    if (!ranks.includes(t.rank)) {
      throw new ValidationError(op, arg, `rank ${ranks.join(' or ')}`, `rank ${t.rank} ${fmt(t.shape)}`, shapes);
    }
  }
  for (const d of t.shape) {
    if (d <= 0) throw new ValidationError(op, arg, 'every dimension >= 1 (empty tensors are not supported)', fmt(t.shape), shapes);
  }
}

export function checkShapeEq(op: string, arg: string, t: Tensor, expected: readonly number[], shapes: ShapeMap): void {
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new ValidationError(op, arg, `shape ${fmt(expected)}`, `shape ${fmt(t.shape)}`, shapes);
  }
}

export function checkPositiveInt(op: string, arg: string, v: unknown, shapes: ShapeMap, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ValidationError(op, arg, `an integer >= ${min}`, formatValue(v), shapes);
  }
  return v;
}

export function checkFinite(op: string, arg: string, v: unknown, shapes: ShapeMap, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new ValidationError(op, arg, min === -Infinity ? 'a finite number' : `a finite number >= ${min}`, formatValue(v), shapes);
  }
  return v;
}

export function checkOutputSize(op: string, shape: readonly number[], shapes: ShapeMap): number[] {
  const n = sizeOf(shape);
  if (!Number.isSafeInteger(n) || n > MAX_ELEMENTS) {
    throw new ShapeOverflowError(op, 'output', `at most ${MAX_ELEMENTS} elements`, `${fmt(shape)} = ${n} elements`, shapes);
  }
  return [...shape];
}

export function checkPadMode(op: string, v: unknown, shapes: ShapeMap): PadMode {
  const m = v ?? 'zeros';
  if (!PAD_MODES.includes(m as PadMode)) {
    throw new ValidationError(op, 'padMode', `one of ${PAD_MODES.join(', ')}`, formatValue(m), shapes);
  }
  return m as PadMode;
}

/** A stride or dilation: undefined (1), an integer >= 1, or [h, w] of such; the error prints what was passed. */
export function checkPair(op: string, arg: string, v: unknown, shapes: ShapeMap, dflt: number | undefined = 1): [number, number] {
  if (v === undefined && dflt !== undefined) return [dflt, dflt];
  const ok = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 1;
  if (ok(v)) return [v as number, v as number];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  const bad = Array.isArray(v) && v.length === 2 ? `${formatValue(ok(v[0]) ? v[1] : v[0])} in ${formatValue(v)}` : formatValue(v);
  throw new ValidationError(op, arg, 'an integer >= 1 or [h, w] of integers >= 1', bad, shapes);
}

export interface WindowOptions {
  kernel: readonly [number, number];
  stride?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  padding?: Padding;
  ceilMode?: boolean;
}

/**
 * Validates and normalizes the window options of a conv, im2col or pool over an inH x inW image.
 * `padMode` (if given) adds the PyTorch limits: reflect needs pad < size, circular pad <= size.
 */
export function windowGeometry(
  op: string,
  inH: number,
  inW: number,
  o: WindowOptions,
  shapes: ShapeMap,
  padMode: PadMode = 'zeros',
  defaultPadding: Padding = 'same',
): Window2d {
  const [kH, kW] = o.kernel;
  checkPositiveInt(op, 'kernel', kH, shapes);
  checkPositiveInt(op, 'kernel', kW, shapes);
  const stride = checkPair(op, 'stride', o.stride, shapes);
  const dilation = checkPair(op, 'dilation', o.dilation, shapes);
  const padding = o.padding ?? defaultPadding;
  let ph: 'same' | 'valid' | [number, number];
  let pw: 'same' | 'valid' | [number, number];
  if (padding === 'same' || padding === 'valid') {
    ph = pw = padding;
  } else {
    const p: readonly number[] = typeof padding === 'number' ? [padding, padding, padding, padding] : padding;
    if (!Array.isArray(p) || p.length !== 4 || p.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new ValidationError(
        op,
        'padding',
        "'same', 'valid', a non-negative integer or [top, bottom, left, right] of non-negative integers",
        formatValue(padding),
        shapes,
      );
    }
    ph = [p[0]!, p[1]!];
    pw = [p[2]!, p[3]!];
  }
  const ceil = o.ceilMode ?? false;
  if (ceil && (ph === 'same' || pw === 'same')) {
    throw new ValidationError(op, 'ceilMode', "ceilMode with 'valid' or explicit padding", "ceilMode with 'same'", shapes);
  }
  const gh = axisGeometry(inH, kH, stride[0], dilation[0], ph, ceil);
  const gw = axisGeometry(inW, kW, stride[1], dilation[1], pw, ceil);
  if (gh.out <= 0 || gw.out <= 0) {
    throw new ValidationError(
      op,
      'kernel',
      `a dilated kernel that fits the padded input (${inH + gh.before + gh.after} x ${inW + gw.before + gw.after})`,
      `kernel ${kH} x ${kW} with dilation ${dilation.join('x')} (span ${dilation[0] * (kH - 1) + 1} x ${dilation[1] * (kW - 1) + 1})`,
      shapes,
    );
  }
  if (padMode === 'reflect' || padMode === 'circular') {
    const lim = (n: number) => (padMode === 'reflect' ? n - 1 : n);
    const pads = [gh.before, gh.after, gw.before, gw.after];
    const sizes = [inH, inH, inW, inW];
    for (let i = 0; i < 4; i++) {
      if (pads[i]! > lim(sizes[i]!)) {
        throw new ValidationError(
          op,
          'padding',
          `${padMode} padding of at most ${padMode === 'reflect' ? 'size - 1' : 'size'} per side (as PyTorch)`,
          `pads [${pads.join(', ')}] on a ${inH} x ${inW} input`,
          shapes,
        );
      }
    }
  }
  return {
    inH,
    inW,
    kH,
    kW,
    strideH: stride[0],
    strideW: stride[1],
    dilationH: dilation[0],
    dilationW: dilation[1],
    padTop: gh.before,
    padBottom: gh.after,
    padLeft: gw.before,
    padRight: gw.after,
    outH: gh.out,
    outW: gw.out,
  };
}

/** A shape argument (sumToShape's shape, addBackward's aShape): an array of integers >= 1 (may be empty: a scalar). */
export function checkShapeList(op: string, arg: string, v: unknown, shapes: ShapeMap): number[] {
  if (!Array.isArray(v) || v.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 1)) {
    throw new ValidationError(op, arg, 'a shape: an array of integers >= 1', formatValue(v), shapes);
  }
  return [...(v as number[])];
}

/**
 * The broadcast shape of two operands (numpy / ONNX multidirectional broadcasting), or a
 * ValidationError on `arg` naming the first axis (counted from the end) where they disagree.
 */
export function checkBroadcast(op: string, arg: string, a: readonly number[], b: readonly number[], shapes: ShapeMap): number[] {
  const out = broadcastShape(a, b);
  if (out) return out;
  const r = Math.max(a.length, b.length);
  let axis = -1;
  for (let i = 1; i <= r; i++) {
    const da = a[a.length - i] ?? 1;
    const db = b[b.length - i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      axis = -i;
      break;
    }
  }
  throw new ValidationError(
    op,
    arg,
    `a shape that broadcasts with ${fmt(a)} (numpy rules: aligned on the right, each axis equal or 1)`,
    `${fmt(b)} (axis ${axis}: ${a[a.length + axis]} vs ${b[b.length + axis]})`,
    shapes,
  );
}

/** An axis of a rank-r tensor: an integer in [-r, r); returns it normalized to [0, r). */
export function checkAxis(op: string, v: unknown, rank: number, shapes: ShapeMap): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -rank || v >= rank) {
    throw new ValidationError(op, 'axis', `an integer in [${-rank}, ${rank}) for a rank-${rank} tensor`, formatValue(v), shapes);
  }
  return v < 0 ? v + rank : v;
}
