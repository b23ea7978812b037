import { ShapeOverflowError, ValidationError, BackendMismatchError, DisposedTensorError, type ShapeMap } from './errors.js';
import { MAX_ELEMENTS, sizeOf, type DType, type Tensor } from './tensor.js';
import type { KernelBackend } from './backend.js';
import { axisGeometry, pair, PAD_MODES, type PadMode, type Padding, type Window2d } from './geometry.js';

/** Shapes of the tensor arguments of one call, for error messages. */
export function shapesOf(args: Record<string, Tensor | null | undefined>): ShapeMap {
  const out: ShapeMap = {};
  for (const [k, t] of Object.entries(args)) if (t) out[k] = t.shape;
  return out;
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

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
    throw new ValidationError(op, arg, 'a Tensor', String(t), shapes);
  }
  if (t.isDisposed) {
    // every tensor argument's shape in the message, not only the disposed one's
    throw new DisposedTensorError(op, arg, 'a live tensor', `tensor #${t.id} after dispose()`, shapes);
  }
  if (t.backend !== backend) {
    throw new BackendMismatchError(
      op,
      arg,
      `a tensor owned by backend '${backend.name}'`,
      `a tensor owned by backend '${t.backend.name}'`,
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
    if (d <= 0) throw new ValidationError(op, arg, 'every dimension >= 1', fmt(t.shape), shapes);
  }
}

export function checkShapeEq(op: string, arg: string, t: Tensor, expected: readonly number[], shapes: ShapeMap): void {
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new ValidationError(op, arg, `shape ${fmt(expected)}`, `shape ${fmt(t.shape)}`, shapes);
  }
}

export function checkPositiveInt(op: string, arg: string, v: unknown, shapes: ShapeMap, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ValidationError(op, arg, `an integer >= ${min}`, String(v), shapes);
  }
  return v;
}

export function checkFinite(op: string, arg: string, v: unknown, shapes: ShapeMap, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new ValidationError(op, arg, min === -Infinity ? 'a finite number' : `a finite number >= ${min}`, String(v), shapes);
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
    throw new ValidationError(op, 'padMode', `one of ${PAD_MODES.join(', ')}`, String(m), shapes);
  }
  return m as PadMode;
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
  const stride = pair(o.stride, 1);
  const dilation = pair(o.dilation, 1);
  for (const s of stride) checkPositiveInt(op, 'stride', s, shapes);
  for (const d of dilation) checkPositiveInt(op, 'dilation', d, shapes);
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
        JSON.stringify(padding),
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
