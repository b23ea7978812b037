/**
 * Issue 2, "Bad input: one test per validation rule". Every rule of validate.ts / context.ts gets a
 * call that breaks it, through a Context over a fake backend whose kernels only record that they
 * ran. Each test checks the error class, `op`, `arg`, that the message names the shapes of the
 * call, and that no kernel ran (validation happens in core, before the backend).
 */
import { describe, expect, it, beforeEach } from 'vitest';
import {
  BackendMismatchError,
  BackendUnavailableError,
  ConvkitError,
  DisposedContextError,
  DisposedTensorError,
  UnknownOptionError,
  NotImplementedError,
  ShapeOverflowError,
  ValidationError,
} from './errors.js';
import { Context, createContext } from './context.js';
import { Registry } from './registry.js';
import { OP_NAMES, type DataId, type KernelBackend, type OpName } from './backend.js';
import { MAX_ELEMENTS, type DType, Tensor } from './tensor.js';
import { checkPoolIndices, editDistance, formatValue, nearestKey } from './validate.js';

// ---- a fake backend whose kernels record their calls --------------------------------------

interface Call {
  op: string;
  params: unknown;
}

class RecordingBackend implements KernelBackend {
  readonly engine = 'fake';
  readonly precision = { atol: 0, rtol: 0 };
  readonly capabilities: ReadonlySet<OpName>;
  readonly calls: Call[] = [];
  readonly store = new Map<DataId, Float32Array | Int32Array>();
  constructor(
    readonly name = 'fake',
    caps: readonly OpName[] = OP_NAMES,
  ) {
    this.capabilities = new Set(caps);
  }
  #new(n: number, dtype: DType = 'float32'): DataId {
    const id = {};
    this.store.set(id, dtype === 'int32' ? new Int32Array(n) : new Float32Array(n));
    return id;
  }
  #rec(op: string, params: unknown) {
    this.calls.push({ op, params });
  }
  write(values: Float32Array | Int32Array): DataId {
    const id = {};
    this.store.set(id, values.slice());
    return id;
  }
  zeros(size: number, dtype: DType): DataId {
    return this.#new(size, dtype);
  }
  async read(id: DataId) {
    return this.store.get(id)!.slice();
  }
  readSync(id: DataId) {
    return this.store.get(id)!.slice();
  }
  disposeData(id: DataId): void {
    this.store.delete(id);
  }
  memory() {
    return { dataIds: this.store.size };
  }
  dispose(): void {
    this.store.clear();
  }
  gemm(_a: DataId, _b: DataId, _c: DataId | null, _bias: DataId | null, p: { m: number; n: number }) {
    this.#rec('gemm', p);
    return this.#new(p.m * p.n);
  }
  im2col(_x: DataId, p: any) {
    this.#rec('im2col', p);
    return this.#new(p.N * p.C * p.kH * p.kW * p.outH * p.outW);
  }
  col2im(_c: DataId, p: any) {
    this.#rec('col2im', p);
    return this.#new(p.N * p.C * p.inH * p.inW);
  }
  conv2d(_x: DataId, _w: DataId, _b: DataId | null, p: any) {
    this.#rec('conv2d', p);
    return this.#new(p.N * p.K * p.outH * p.outW);
  }
  conv2dBackward(_x: DataId, _w: DataId, _dy: DataId, p: any, wants: any) {
    this.#rec('conv2dBackward', p);
    return {
      dx: wants.dx ? this.#new(p.N * p.C * p.inH * p.inW) : undefined,
      dw: wants.dw ? this.#new((p.K * p.C * p.kH * p.kW) / p.groups) : undefined,
      db: wants.db ? this.#new(p.K) : undefined,
    };
  }
  maxpool2d(_x: DataId, p: any) {
    this.#rec('maxpool2d', p);
    const n = p.N * p.C * p.outH * p.outW;
    return { y: this.#new(n), indices: this.#new(n, 'int32') };
  }
  maxpool2dBackward(_dy: DataId, _i: DataId, p: any) {
    this.#rec('maxpool2dBackward', p);
    return this.#new(p.N * p.C * p.inH * p.inW);
  }
  sgd(w: DataId, _g: DataId, _v: DataId, p: any) {
    this.#rec('sgd', p);
    const a = this.store.get(w)!;
    a[0] = 12345; // a visible write, so a test would notice a call that should not have happened
  }
  relu(_x: DataId, size: number) {
    this.#rec('relu', size);
    return this.#new(size);
  }
  reluBackward(_x: DataId, _dy: DataId, size: number) {
    this.#rec('reluBackward', size);
    return this.#new(size);
  }
  softmaxCrossEntropy(_l: DataId, _lab: DataId, p: any) {
    this.#rec('softmaxCrossEntropy', p);
    return { loss: this.#new(1), probs: this.#new(p.n * p.classes) };
  }
  softmaxCrossEntropyBackward(_p: DataId, _lab: DataId, p: any) {
    this.#rec('softmaxCrossEntropyBackward', p);
    return this.#new(p.n * p.classes);
  }
}

let be: RecordingBackend;
let ctx: Context;

beforeEach(() => {
  be = new RecordingBackend();
  ctx = new Context(be);
});

const f32 = (shape: number[], fill = 1) => ctx.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill), shape);
const i32 = (shape: number[], fill = 0) => ctx.tensor(new Int32Array(shape.reduce((a, b) => a * b, 1)).fill(fill), shape);

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

interface Expect {
  cls?: new (...a: any[]) => Error;
  op: string;
  arg: string;
  /** name=[shape] pairs the message must contain */
  shapes?: Record<string, readonly number[]>;
  /** extra substrings of the message */
  says?: string[];
}

/** Runs f, expects the typed error, and checks that no kernel ran. */
async function rejects(f: () => unknown, e: Expect): Promise<ValidationError> {
  const callsBefore = be.calls.length;
  let err: unknown;
  try {
    await f();
  } catch (x) {
    err = x;
  }
  expect(err, 'the call should have thrown').toBeInstanceOf(e.cls ?? ValidationError);
  expect(err).toBeInstanceOf(ValidationError);
  const v = err as ValidationError;
  expect(v.op).toBe(e.op);
  expect(v.arg).toBe(e.arg);
  expect(v.message.startsWith(`${e.op}: invalid argument '${e.arg}'`)).toBe(true);
  for (const [name, shape] of Object.entries(e.shapes ?? {})) {
    expect(v.message).toContain(`${name}=${fmt(shape)}`);
    expect(v.shapes[name]).toEqual(shape);
  }
  for (const s of e.says ?? []) expect(v.message).toContain(s);
  expect(be.calls.length, `kernel calls: ${JSON.stringify(be.calls.slice(callsBefore).map((c) => c.op))}`).toBe(callsBefore);
  return v;
}

// ---- tensors --------------------------------------------------------------------------------

describe('tensor arguments', () => {
  it('wrong rank', async () => {
    const x = f32([3, 5, 5]);
    const w = f32([2, 3, 3, 3]);
    await rejects(() => ctx.conv2d(x, w), { op: 'conv2d', arg: 'x', shapes: { x: [3, 5, 5], w: [2, 3, 3, 3] }, says: ['rank 4', 'rank 3'] });
  });

  it('wrong dtype', async () => {
    const x = i32([1, 1, 4, 4]);
    await rejects(() => ctx.maxpool2d(x, { kernel: 2 }), { op: 'maxpool2d', arg: 'x', shapes: { x: [1, 1, 4, 4] }, says: ['dtype float32', 'dtype int32'] });
  });

  it('disposed tensor', async () => {
    const a = f32([2, 3]);
    const b = f32([3, 4]);
    b.dispose();
    await rejects(() => ctx.gemm(a, b), { cls: DisposedTensorError, op: 'gemm', arg: 'b', shapes: { a: [2, 3], b: [3, 4] }, says: ['after dispose()'] });
  });

  it("another backend's tensor", async () => {
    const other = new Context(new RecordingBackend('other'));
    const x = f32([1, 2, 4, 4]);
    const w = other.tensor(new Float32Array(2 * 2 * 9), [2, 2, 3, 3]);
    await rejects(() => ctx.conv2d(x, w), {
      cls: BackendMismatchError,
      op: 'conv2d',
      arg: 'w',
      shapes: { x: [1, 2, 4, 4], w: [2, 2, 3, 3] },
      says: ["backend 'fake'", "backend 'other'"],
    });
  });

  it('not a tensor at all', async () => {
    const x = f32([2, 2]);
    await rejects(() => ctx.reluBackward(x, null as unknown as Tensor), { op: 'reluBackward', arg: 'dy', shapes: { x: [2, 2] } });
  });

  it('a zero-size dimension in a tensor argument', async () => {
    // Tensor's constructor is internal and does not check; core's checkTensor still refuses it.
    const bad = new Tensor(be, be.zeros(0, 'float32'), [2, 0], 'float32', ctx);
    const w = f32([3, 4]);
    await rejects(() => ctx.gemm(bad, w), { op: 'gemm', arg: 'a', shapes: { a: [2, 0], b: [3, 4] }, says: ['every dimension >= 1'] });
  });
});

// ---- conv ------------------------------------------------------------------------------------

describe('conv2d / conv1d', () => {
  it('channel mismatch between x and w', async () => {
    const x = f32([1, 3, 5, 5]);
    const w = f32([4, 2, 3, 3]);
    await rejects(() => ctx.conv2d(x, w), { op: 'conv2d', arg: 'w', shapes: { x: [1, 3, 5, 5], w: [4, 2, 3, 3] }, says: ['C/groups = 3'] });
  });

  it('groups that do not divide C', async () => {
    const x = f32([1, 3, 5, 5]);
    const w = f32([4, 1, 3, 3]);
    await rejects(() => ctx.conv2d(x, w, { groups: 2 }), { op: 'conv2d', arg: 'groups', shapes: { x: [1, 3, 5, 5], w: [4, 1, 3, 3] }, says: ['C=3', 'K=4'] });
  });

  it('groups that do not divide K', async () => {
    const x = f32([1, 4, 5, 5]);
    const w = f32([3, 2, 3, 3]);
    await rejects(() => ctx.conv2d(x, w, { groups: 2 }), { op: 'conv2d', arg: 'groups', shapes: { x: [1, 4, 5, 5], w: [3, 2, 3, 3] } });
  });

  it('groups 0', async () => {
    const x = f32([1, 4, 5, 5]);
    const w = f32([4, 4, 3, 3]);
    await rejects(() => ctx.conv2d(x, w, { groups: 0 }), { op: 'conv2d', arg: 'groups', shapes: { x: [1, 4, 5, 5] } });
  });

  it('stride 0', async () => {
    const x = f32([1, 1, 5, 5]);
    const w = f32([1, 1, 3, 3]);
    await rejects(() => ctx.conv2d(x, w, { stride: 0 }), { op: 'conv2d', arg: 'stride', shapes: { x: [1, 1, 5, 5], w: [1, 1, 3, 3] }, says: ['received 0'] });
  });

  it('negative and fractional stride', async () => {
    const x = f32([1, 1, 5, 5]);
    const w = f32([1, 1, 3, 3]);
    await rejects(() => ctx.conv2d(x, w, { stride: [1, -2] }), { op: 'conv2d', arg: 'stride', shapes: { x: [1, 1, 5, 5] } });
    await rejects(() => ctx.conv2d(x, w, { stride: 1.5 }), { op: 'conv2d', arg: 'stride', shapes: { x: [1, 1, 5, 5] } });
  });

  it('dilation 0', async () => {
    const x = f32([1, 1, 5, 5]);
    const w = f32([1, 1, 3, 3]);
    await rejects(() => ctx.conv2d(x, w, { dilation: [0, 1] }), { op: 'conv2d', arg: 'dilation', shapes: { x: [1, 1, 5, 5], w: [1, 1, 3, 3] } });
  });

  it('bad padding arrays', async () => {
    const x = f32([1, 1, 5, 5]);
    const w = f32([1, 1, 3, 3]);
    const s = { x: [1, 1, 5, 5], w: [1, 1, 3, 3] };
    for (const padding of [[1, 1, 1], [1, 1, 1, -1], [0, 0.5, 0, 0], 'full', -1, [1, 1, 1, 1, 1]] as any[]) {
      await rejects(() => ctx.conv2d(x, w, { padding }), { op: 'conv2d', arg: 'padding', shapes: s, says: [JSON.stringify(padding)] });
    }
  });

  it('unknown pad mode', async () => {
    const x = f32([1, 1, 5, 5]);
    const w = f32([1, 1, 3, 3]);
    await rejects(() => ctx.conv2d(x, w, { padMode: 'mirror' as any }), { op: 'conv2d', arg: 'padMode', shapes: { x: [1, 1, 5, 5] }, says: ['mirror'] });
  });

  it('reflect padding too big (pad must be < size)', async () => {
    const x = f32([1, 1, 2, 6]);
    const w = f32([1, 1, 3, 3]);
    // explicit top pad 2 on a 2-row image: reflect needs <= 1
    await rejects(() => ctx.conv2d(x, w, { padding: [2, 0, 0, 0], padMode: 'reflect' }), {
      op: 'conv2d',
      arg: 'padding',
      shapes: { x: [1, 1, 2, 6], w: [1, 1, 3, 3] },
      says: ['reflect', 'pads [2, 0, 0, 0] on a 2 x 6 input'],
    });
    // the same pad is fine for replicate, and for reflect when pad = size - 1
    await ctx.conv2d(x, w, { padding: [2, 0, 0, 0], padMode: 'replicate' });
    await ctx.conv2d(x, w, { padding: [1, 1, 1, 1], padMode: 'reflect' });
    expect(be.calls.map((c) => c.op)).toEqual(['conv2d', 'conv2d']);
  });

  it("reflect with 'same' on a 1-pixel image (pad 1 > size - 1 = 0)", async () => {
    const x = f32([1, 1, 1, 1]);
    const w = f32([1, 1, 3, 3]);
    await rejects(() => ctx.conv2d(x, w, { padMode: 'reflect' }), { op: 'conv2d', arg: 'padding', shapes: { x: [1, 1, 1, 1] } });
  });

  it('circular padding larger than the size', async () => {
    const x = f32([1, 1, 4, 2]);
    const w = f32([1, 1, 1, 1]);
    await rejects(() => ctx.conv2d(x, w, { padding: [0, 0, 3, 0], padMode: 'circular' }), {
      op: 'conv2d',
      arg: 'padding',
      shapes: { x: [1, 1, 4, 2] },
      says: ['circular'],
    });
  });

  it("kernel larger than the padded image with 'valid'", async () => {
    const x = f32([1, 1, 3, 3]);
    const w = f32([1, 1, 4, 2]);
    await rejects(() => ctx.conv2d(x, w, { padding: 'valid' }), {
      op: 'conv2d',
      arg: 'kernel',
      shapes: { x: [1, 1, 3, 3], w: [1, 1, 4, 2] },
      says: ['kernel 4 x 2'],
    });
  });

  it('dilated kernel that does not fit explicit padding', async () => {
    const x = f32([1, 1, 3, 3]);
    const w = f32([1, 1, 2, 2]);
    // span 1 + 2*(2-1)... dilation 4 -> span 5 > 3 + 1 + 0
    await rejects(() => ctx.conv2d(x, w, { padding: [1, 0, 1, 0], dilation: 4 }), { op: 'conv2d', arg: 'kernel', shapes: { x: [1, 1, 3, 3] }, says: ['span 5 x 5'] });
  });

  it('bias of the wrong shape', async () => {
    const x = f32([1, 2, 4, 4]);
    const w = f32([3, 2, 3, 3]);
    const bias = f32([2]);
    await rejects(() => ctx.conv2d(x, w, { bias }), { op: 'conv2d', arg: 'bias', shapes: { x: [1, 2, 4, 4], w: [3, 2, 3, 3], bias: [2] }, says: ['shape [3]'] });
    const bias2 = f32([3, 1]);
    await rejects(() => ctx.conv2d(x, w, { bias: bias2 }), { op: 'conv2d', arg: 'bias', shapes: { bias: [3, 1] }, says: ['rank 1'] });
  });

  it('conv2dBackward: dy of the wrong shape', async () => {
    const x = f32([1, 2, 4, 4]);
    const w = f32([3, 2, 3, 3]);
    const dy = f32([1, 3, 2, 2]);
    await rejects(() => ctx.conv2dBackward(x, w, dy), { op: 'conv2dBackward', arg: 'dy', shapes: { x: [1, 2, 4, 4], w: [3, 2, 3, 3], dy: [1, 3, 2, 2] }, says: ['shape [1, 3, 4, 4]'] });
  });

  it('conv1d: rank and bad padding', async () => {
    const x = f32([1, 2, 8]);
    const w = f32([1, 2, 3]);
    await rejects(() => ctx.conv1d(f32([2, 8]), w), { op: 'conv1d', arg: 'x', shapes: { x: [2, 8], w: [1, 2, 3] } });
    await rejects(() => ctx.conv1d(x, w, { padding: [1, 2, 3] as any }), { op: 'conv2d', arg: 'padding', says: ['[1,2,3]'] });
    // the reshaped views made for the 2-D call are freed even when it fails
    expect(ctx.memory().tensors).toBe(3);
  });
});

// ---- im2col / col2im --------------------------------------------------------------------------

describe('im2col / col2im', () => {
  it('im2col: missing kernel', async () => {
    const x = f32([1, 1, 4, 4]);
    await rejects(() => ctx.im2col(x, {} as any), { op: 'im2col', arg: 'kernel', shapes: { x: [1, 1, 4, 4] } });
  });

  it('im2col: zero kernel size', async () => {
    const x = f32([1, 1, 4, 4]);
    await rejects(() => ctx.im2col(x, { kernel: [0, 3] }), { op: 'im2col', arg: 'kernel', shapes: { x: [1, 1, 4, 4] }, says: ['received 0'] });
  });

  it('col2im: cols of the wrong shape', async () => {
    const cols = f32([1, 9, 15]);
    await rejects(() => ctx.col2im(cols, { inputShape: [1, 1, 4, 4], kernel: 3 }), {
      op: 'col2im',
      arg: 'cols',
      shapes: { cols: [1, 9, 15], inputShape: [1, 1, 4, 4] },
      says: ['shape [1, 9, 16]'],
    });
  });

  it('col2im: bad inputShape (zero and negative sizes)', async () => {
    const cols = f32([1, 9, 16]);
    for (const inputShape of [[1, 1, 0, 4], [1, -1, 4, 4], [1, 4, 4]] as any[]) {
      await rejects(() => ctx.col2im(cols, { inputShape, kernel: 3 }), { op: 'col2im', arg: 'inputShape', shapes: { cols: [1, 9, 16] }, says: [JSON.stringify(inputShape)] });
    }
  });
});

// ---- pooling ---------------------------------------------------------------------------------

describe('maxpool2d', () => {
  it("ceilMode with 'same'", async () => {
    const x = f32([1, 1, 5, 5]);
    await rejects(() => ctx.maxpool2d(x, { kernel: 2, ceilMode: true }), { op: 'maxpool2d', arg: 'ceilMode', shapes: { x: [1, 1, 5, 5] }, says: ["'same'"] });
    await ctx.maxpool2d(x, { kernel: 2, ceilMode: true, padding: 'valid' });
    expect(be.calls.length).toBe(1);
  });

  it('kernel larger than the image with valid padding', async () => {
    const x = f32([1, 1, 2, 2]);
    await rejects(() => ctx.maxpool2d(x, { kernel: 3, padding: 'valid' }), { op: 'maxpool2d', arg: 'kernel', shapes: { x: [1, 1, 2, 2] } });
  });

  it('backward: indices of dtype float32', async () => {
    const dy = f32([1, 1, 2, 2]);
    const idx = f32([1, 1, 2, 2]);
    await rejects(() => ctx.maxpool2dBackward(dy, idx, { inputShape: [1, 1, 4, 4], kernel: 2 }), {
      op: 'maxpool2dBackward',
      arg: 'indices',
      shapes: { dy: [1, 1, 2, 2], indices: [1, 1, 2, 2] },
      says: ['dtype int32', 'dtype float32'],
    });
  });

  it('backward: indices of the wrong shape', async () => {
    const dy = f32([1, 1, 2, 2]);
    const idx = i32([1, 1, 2, 3]);
    await rejects(() => ctx.maxpool2dBackward(dy, idx, { inputShape: [1, 1, 4, 4], kernel: 2 }), {
      op: 'maxpool2dBackward',
      arg: 'indices',
      shapes: { dy: [1, 1, 2, 2], indices: [1, 1, 2, 3], inputShape: [1, 1, 4, 4] },
      says: ['shape [1, 1, 2, 2]'],
    });
  });

  it('backward: dy that does not match the pooled input shape', async () => {
    const dy = f32([1, 1, 3, 3]);
    const idx = i32([1, 1, 3, 3]);
    await rejects(() => ctx.maxpool2dBackward(dy, idx, { inputShape: [1, 1, 4, 4], kernel: 2 }), {
      op: 'maxpool2dBackward',
      arg: 'dy',
      shapes: { dy: [1, 1, 3, 3], indices: [1, 1, 3, 3], inputShape: [1, 1, 4, 4] },
    });
  });

  it('backward: missing inputShape', async () => {
    const dy = f32([1, 1, 2, 2]);
    const idx = i32([1, 1, 2, 2]);
    await rejects(() => ctx.maxpool2dBackward(dy, idx, { kernel: 2 } as any), { op: 'maxpool2dBackward', arg: 'inputShape', shapes: { dy: [1, 1, 2, 2] } });
  });
});

// ---- gemm / dense ------------------------------------------------------------------------------

describe('gemm / dense', () => {
  it('inner dimension mismatch', async () => {
    const a = f32([2, 3]);
    const b = f32([4, 5]);
    await rejects(() => ctx.gemm(a, b), { op: 'gemm', arg: 'b', shapes: { a: [2, 3], b: [4, 5] }, says: ['inner dimension 3'] });
  });

  it('inner dimension mismatch only under transB', async () => {
    const a = f32([2, 3]);
    const b = f32([3, 5]);
    await ctx.gemm(a, b);
    await rejects(() => ctx.gemm(a, b, { transB: true }), { op: 'gemm', arg: 'b', shapes: { a: [2, 3], b: [3, 5] }, says: ['(transB)'] });
    expect(be.calls.length).toBe(1);
  });

  it('beta without c', async () => {
    const a = f32([2, 3]);
    const b = f32([3, 4]);
    await rejects(() => ctx.gemm(a, b, { beta: 0.5 }), { op: 'gemm', arg: 'c', shapes: { a: [2, 3], b: [3, 4] }, says: ['beta != 0'] });
  });

  it('c of the wrong shape', async () => {
    const a = f32([2, 3]);
    const b = f32([3, 4]);
    const c = f32([4, 2]);
    await rejects(() => ctx.gemm(a, b, { c, beta: 1 }), { op: 'gemm', arg: 'c', shapes: { a: [2, 3], b: [3, 4], c: [4, 2] }, says: ['shape [2, 4]'] });
  });

  it('gemm bias of the wrong shape', async () => {
    const a = f32([2, 3]);
    const b = f32([3, 4]);
    const bias = f32([2]);
    await rejects(() => ctx.gemm(a, b, { bias }), { op: 'gemm', arg: 'bias', shapes: { a: [2, 3], b: [3, 4], bias: [2] }, says: ['shape [4]'] });
  });

  it('non-finite alpha', async () => {
    const a = f32([2, 3]);
    const b = f32([3, 4]);
    await rejects(() => ctx.gemm(a, b, { alpha: NaN }), { op: 'gemm', arg: 'alpha', shapes: { a: [2, 3] }, says: ['NaN'] });
    await rejects(() => ctx.gemm(a, b, { alpha: Infinity }), { op: 'gemm', arg: 'alpha', shapes: { a: [2, 3] } });
  });

  it('denseBackward: w that does not match x', async () => {
    const x = f32([2, 3]);
    const w = f32([4, 5]);
    const dy = f32([2, 5]);
    await rejects(() => ctx.denseBackward(x, w, dy), { op: 'denseBackward', arg: 'w', shapes: { x: [2, 3], w: [4, 5], dy: [2, 5] } });
  });
});

// ---- training ops ------------------------------------------------------------------------------

describe('sgd, relu, softmax cross-entropy', () => {
  it('sgd: g and v of another shape', async () => {
    const w = f32([2, 3], 1);
    await rejects(() => ctx.sgd(w, f32([3, 2]), f32([2, 3]), { lr: 0.1 }), { op: 'sgd', arg: 'g', shapes: { w: [2, 3], g: [3, 2], v: [2, 3] }, says: ['shape [2, 3]'] });
    await rejects(() => ctx.sgd(w, f32([2, 3]), f32([6]), { lr: 0.1 }), { op: 'sgd', arg: 'v', shapes: { w: [2, 3], v: [6] } });
    expect(Array.from(await w.read())).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('sgd: arguments sharing storage (same tensor, or a reshaped view)', async () => {
    const w = f32([4], 1);
    const g = f32([4], 1);
    await rejects(() => ctx.sgd(w, g, w, { lr: 0.1 }), { op: 'sgd', arg: 'v', shapes: { w: [4], g: [4], v: [4] }, says: ['sharing storage'] });
    const v2 = f32([2, 2]);
    const view = v2.reshape([4]);
    const g2 = view; // g and v share storage through a view
    await rejects(() => ctx.sgd(w, g2, view, { lr: 0.1 }), { op: 'sgd', arg: 'v', shapes: { w: [4] } });
    expect(Array.from(await w.read())).toEqual([1, 1, 1, 1]);
  });

  it('sgd: negative or non-finite lr, negative momentum and weight decay', async () => {
    const [w, g, v] = [f32([3]), f32([3]), f32([3])];
    const s = { w: [3], g: [3], v: [3] };
    await rejects(() => ctx.sgd(w, g, v, { lr: -0.1 }), { op: 'sgd', arg: 'lr', shapes: s, says: ['>= 0', '-0.1'] });
    await rejects(() => ctx.sgd(w, g, v, { lr: NaN }), { op: 'sgd', arg: 'lr', shapes: s });
    await rejects(() => ctx.sgd(w, g, v, {} as any), { op: 'sgd', arg: 'lr', shapes: s, says: ['undefined'] });
    await rejects(() => ctx.sgd(w, g, v, { lr: 0.1, momentum: -0.9 }), { op: 'sgd', arg: 'momentum', shapes: s });
    await rejects(() => ctx.sgd(w, g, v, { lr: 0.1, weightDecay: Infinity }), { op: 'sgd', arg: 'weightDecay', shapes: s });
    expect(Array.from(await w.read())).toEqual([1, 1, 1]);
  });

  it('reluBackward: dy of another shape', async () => {
    await rejects(() => ctx.reluBackward(f32([2, 3]), f32([3, 2])), { op: 'reluBackward', arg: 'dy', shapes: { x: [2, 3], dy: [3, 2] } });
  });

  it('labels of dtype float32', async () => {
    const logits = f32([2, 3]);
    const labels = f32([2]);
    await rejects(() => ctx.softmaxCrossEntropy(logits, labels), { op: 'softmaxCrossEntropy', arg: 'labels', shapes: { logits: [2, 3], labels: [2] }, says: ['dtype int32'] });
    await rejects(() => ctx.softmaxCrossEntropyBackward(logits, labels), { op: 'softmaxCrossEntropyBackward', arg: 'labels', shapes: { probs: [2, 3], labels: [2] } });
  });

  it('labels of the wrong length, logits of the wrong rank', async () => {
    await rejects(() => ctx.softmaxCrossEntropy(f32([2, 3]), i32([3])), { op: 'softmaxCrossEntropy', arg: 'labels', shapes: { logits: [2, 3], labels: [3] }, says: ['shape [2]'] });
    await rejects(() => ctx.softmaxCrossEntropy(f32([6]), i32([6])), { op: 'softmaxCrossEntropy', arg: 'logits', shapes: { logits: [6], labels: [6] } });
  });
});

// ---- creation and sizes -------------------------------------------------------------------------

describe('tensor(), zeros() and element-count overflow', () => {
  it('tensor() from a Float64Array', async () => {
    await rejects(() => ctx.tensor(new Float64Array(4) as any, [2, 2]), { op: 'tensor', arg: 'values', shapes: { shape: [2, 2] }, says: ['Float64Array'] });
  });

  it('tensor() with the wrong number of values', async () => {
    await rejects(() => ctx.tensor(new Float32Array(5), [2, 3]), { op: 'tensor', arg: 'values', shapes: { shape: [2, 3] }, says: ['6 values', '5 values'] });
    await rejects(() => ctx.tensor([1, 2, 3], [2, 2]), { op: 'tensor', arg: 'values', shapes: { shape: [2, 2] } });
  });

  it('tensor() with a dtype its values cannot hold', async () => {
    await rejects(() => ctx.tensor(new Float32Array(2), [2], 'int32'), { op: 'tensor', arg: 'values', shapes: { shape: [2] } });
    await rejects(() => ctx.tensor([0.5, 1], [2], 'int32'), { op: 'tensor', arg: 'values', shapes: { shape: [2] }, says: ['non-integer'] });
  });

  it('tensor() and zeros() with zero, negative or fractional sizes', async () => {
    for (const shape of [[0], [2, -1], [1.5, 2]]) {
      await rejects(() => ctx.tensor([], shape), { op: 'tensor', arg: 'shape', shapes: { shape } });
      await rejects(() => ctx.zeros(shape), { op: 'zeros', arg: 'shape', shapes: { shape } });
    }
    expect(be.store.size).toBe(0);
  });

  it('zeros() of more than 2^31 - 1 elements: ShapeOverflowError, nothing allocated', async () => {
    const shape = [65536, 32768];
    await rejects(() => ctx.zeros(shape), { cls: ShapeOverflowError, op: 'zeros', arg: 'output', shapes: { shape }, says: [`${2 ** 31}`] });
    await rejects(() => ctx.tensor(new Float32Array(1), shape), { cls: ShapeOverflowError, op: 'tensor', arg: 'output', shapes: { shape } });
    expect(be.store.size).toBe(0);
    // 2^31 - 1 itself is within the limit as far as core is concerned (the backend may still fail)
    expect(MAX_ELEMENTS).toBe(2 ** 31 - 1);
  });

  it('an op whose output would overflow', async () => {
    // im2col of a modest image with a big kernel: N*C*kH*kW*outH*outW > 2^31 - 1
    const x = ctx.zeros([1, 512, 64, 64]);
    await rejects(() => ctx.im2col(x, { kernel: 33, padding: 'same' }), {
      cls: ShapeOverflowError,
      op: 'im2col',
      arg: 'output',
      shapes: { x: [1, 512, 64, 64] },
      says: [`[1, ${512 * 33 * 33}, ${64 * 64}] = ${512 * 33 * 33 * 64 * 64} elements`],
    });
  });

  it('reshape() to another element count', () => {
    const t = f32([2, 3]);
    let err: unknown;
    try {
      t.reshape([4, 2]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).op).toBe('reshape');
    expect((err as ValidationError).message).toContain('tensor=[2, 3]');
  });
});

// ---- capabilities, lifecycle -------------------------------------------------------------------

describe('capabilities and lifecycle', () => {
  it('an op the backend does not implement: NotImplementedError, nothing ran', async () => {
    const small = new RecordingBackend('small', ['gemm']);
    const c2 = new Context(small);
    const x = c2.tensor(new Float32Array(16), [1, 1, 4, 4]);
    let err: unknown;
    try {
      await c2.maxpool2d(x, { kernel: 2 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotImplementedError);
    expect((err as NotImplementedError).op).toBe('maxpool2d');
    expect((err as NotImplementedError).backend).toBe('small');
    expect(small.calls.length).toBe(0);
    expect(c2.supports('gemm')).toBe(true);
    expect(c2.supports('maxpool2d')).toBe(false);
  });

  it('a disposed context refuses ops', async () => {
    const x = f32([2, 2]);
    const y = f32([2, 2]);
    await ctx.dispose();
    expect(y.isDisposed).toBe(true);
    await expect(ctx.relu(x)).rejects.toBeInstanceOf(ConvkitError);
    expect(be.calls.length).toBe(0);
  });

  it('a valid call does reach the kernel with the normalized parameters (the fake is not inert)', async () => {
    const x = f32([2, 3, 5, 7]);
    const w = f32([4, 3, 3, 3]);
    const y = await ctx.conv2d(x, w);
    expect(y.shape).toEqual([2, 4, 5, 7]);
    expect(be.calls[0]).toMatchObject({ op: 'conv2d', params: { N: 2, C: 3, K: 4, padTop: 1, padLeft: 1, outH: 5, outW: 7, groups: 1, padMode: 'zeros', flip: false } });
    expect(ctx.lastRun).toEqual({ op: 'conv2d', backend: 'fake', engine: 'fake' });
  });
});

// ---- registry ----------------------------------------------------------------------------------

describe('Registry', () => {
  const desc = (name: string, priority: number, probe: () => any, created: string[] = []) => ({
    name,
    priority,
    probe,
    create: () => {
      created.push(name);
      return new RecordingBackend(name);
    },
  });

  it("'auto' picks the available backend with the highest priority", async () => {
    const created: string[] = [];
    const reg = new Registry()
      .register(desc('low', 10, () => true, created))
      .register(desc('high-but-absent', 50, () => ({ available: false, reason: 'no GPU' }), created))
      .register(desc('mid', 20, () => ({ available: true }), created));
    const b = await reg.create('auto');
    expect(b.name).toBe('mid');
    expect(created).toEqual(['mid']);
    const c = await createContext({ registry: reg });
    expect(c.backendName).toBe('mid');
  });

  it("a probe's priority overrides the descriptor's", async () => {
    const reg = new Registry()
      .register(desc('gpu', 30, () => ({ available: true, priority: 5, reason: 'software renderer' })))
      .register(desc('js', 10, () => true));
    expect((await reg.create()).name).toBe('js');
    const reports = await reg.probeAll();
    expect(reports.map((r) => [r.name, r.priority])).toEqual([
      ['js', 10],
      ['gpu', 5],
    ]);
  });

  it('a probe that throws is reported, and auto goes on to the next', async () => {
    const reg = new Registry()
      .register(desc('broken', 99, () => {
        throw new Error('driver exploded');
      }))
      .register(desc('async-broken', 98, async () => {
        throw new Error('async boom');
      }))
      .register(desc('js', 10, () => true));
    const reports = await reg.probeAll();
    const broken = reports.find((r) => r.name === 'broken')!;
    expect(broken.available).toBe(false);
    expect(broken.reason).toContain('probe threw: driver exploded');
    expect(reports.find((r) => r.name === 'async-broken')!.reason).toContain('async boom');
    expect(reports[0]!.name).toBe('js');
    expect((await reg.create('auto')).name).toBe('js');
    await expect(reg.create('broken')).rejects.toThrow(/not available here: probe threw: driver exploded/);
  });

  it('a create() that fails falls through to the next; nothing available lists why', async () => {
    const reg = new Registry()
      .register({ name: 'flaky', priority: 40, probe: () => true, create: () => { throw new Error('context lost'); } })
      .register(desc('js', 10, () => true));
    expect((await reg.create()).name).toBe('js');
    reg.unregister('js');
    const err = await reg.create().catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toContain('flaky: create failed: context lost');
    const empty = await new Registry().create().catch((e) => e);
    expect(empty).toBeInstanceOf(BackendUnavailableError);
    expect(empty.message).toContain('none registered');
  });

  it('a named unknown backend: the error lists the registered names', async () => {
    const reg = new Registry().register(desc('js', 10, () => true)).register(desc('workers', 20, () => true));
    const err = await reg.create('webgpu').catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toContain("backend 'webgpu' is not registered");
    expect(err.message).toContain('registered: js, workers');
    const err2 = await createContext({ backend: 'nope', registry: new Registry() }).catch((e) => e);
    expect(err2).toBeInstanceOf(BackendUnavailableError);
    expect(err2.message).toContain('registered: none');
  });

  it('a named backend whose probe says no', async () => {
    const reg = new Registry().register(desc('gpujs', 30, () => ({ available: false, reason: 'no display' })));
    await expect(reg.create('gpujs')).rejects.toThrow("backend 'gpujs' is not available here: no display");
  });
});

// ---- issue 18: nothing fails silently, nothing fails late ----------------------------------------

describe('issue 18: labels outside [0, classes)', () => {
  for (const [name, bad] of [
    ['label = classes', 5],
    ['label > classes', 99],
    ['negative label', -1],
  ] as const) {
    it(`softmaxCrossEntropy and its backward refuse a ${name}, naming the sample and the label`, async () => {
      const logits = f32([3, 5]);
      const labels = ctx.tensor(Int32Array.from([0, bad, 4]), [3]);
      const shapes = { logits: [3, 5], labels: [3] };
      await rejects(() => ctx.softmaxCrossEntropy(logits, labels), {
        op: 'softmaxCrossEntropy',
        arg: 'labels',
        shapes,
        says: [`label ${bad} at sample 1`, '[0, 5)'],
      });
      await rejects(() => ctx.softmaxCrossEntropyBackward(logits, labels), {
        op: 'softmaxCrossEntropyBackward',
        arg: 'labels',
        shapes: { probs: [3, 5], labels: [3] },
        says: [`label ${bad} at sample 1`],
      });
    });
  }

  it('labels in range reach the kernel (edges 0 and classes-1)', async () => {
    const logits = f32([2, 5]);
    const labels = ctx.tensor(Int32Array.from([0, 4]), [2]);
    await ctx.softmaxCrossEntropy(logits, labels);
    await ctx.softmaxCrossEntropyBackward(logits, labels);
    expect(be.calls.map((c) => c.op)).toEqual(['softmaxCrossEntropy', 'softmaxCrossEntropyBackward']);
  });
});

describe('issue 18: checkPoolIndices (an index outside its window)', () => {
  // 1 x 2 x 4 x 4 input, kernel 2, stride 2, no padding: window (oy, ox) covers rows 2oy..2oy+1, cols 2ox..2ox+1
  const p = {
    N: 1, C: 2, inH: 4, inW: 4, kH: 2, kW: 2, strideH: 2, strideW: 2, dilationH: 1, dilationW: 1,
    padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, outH: 2, outW: 2,
  };
  // the bottom-right position of every window, computed independently as row * 4 + col + plane * 16
  const valid = () => {
    const out: number[] = [];
    for (let c = 0; c < 2; c++) for (let oy = 0; oy < 2; oy++) for (let ox = 0; ox < 2; ox++) out.push(c * 16 + (2 * oy + 1) * 4 + 2 * ox + 1);
    return Int32Array.from(out);
  };
  it('accepts indices inside their windows and -1 (empty window)', () => {
    expect(() => checkPoolIndices('maxpool2dBackward', valid(), p)).not.toThrow();
    const v = valid();
    v[3] = -1;
    expect(() => checkPoolIndices('maxpool2dBackward', v, p)).not.toThrow();
  });
  for (const [name, o, value, says] of [
    ["the neighbouring window's position", 0, 2, 'index 2 at output 0 (sample 0, channel 0, y 0, x 0)'],
    ['a position of another plane', 4, 5, 'index 5 at output 4 (sample 0, channel 1, y 0, x 0)'],
    ['past the end of the input', 7, 32, 'index 32 at output 7'],
    ['a negative index other than -1', 1, -2, 'index -2 at output 1'],
  ] as const) {
    it(`refuses ${name} with a ValidationError naming the output`, () => {
      const v = valid();
      v[o] = value;
      let err: unknown;
      try {
        checkPoolIndices('maxpool2dBackward', v, p);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).op).toBe('maxpool2dBackward');
      expect((err as ValidationError).arg).toBe('indices');
      expect((err as ValidationError).message).toContain(says);
      expect((err as ValidationError).message).toContain('indices=[1, 2, 2, 2]');
    });
  }
  it('with dilation, a position between the taps is outside the window', () => {
    const q = { ...p, inH: 3, inW: 3, C: 1, kH: 2, kW: 2, strideH: 1, strideW: 1, dilationH: 2, dilationW: 2, outH: 1, outW: 1 };
    expect(() => checkPoolIndices('maxpool2dBackward', Int32Array.of(8), q)).not.toThrow(); // (2, 2): tap (1, 1)
    expect(() => checkPoolIndices('maxpool2dBackward', Int32Array.of(4), q)).toThrow(ValidationError); // (1, 1): between taps
  });
});

describe('issue 18: maxpool2dBackward checks indices it did not produce', () => {
  it("maxpool2d's own indices (same geometry) go straight to the kernel; the same values from ctx.tensor are checked and refused", async () => {
    const x = f32([1, 1, 4, 4]);
    // the fake's maxpool2d returns all-zero indices: only output 0's window holds index 0
    const { indices } = await ctx.maxpool2d(x, { kernel: 2 });
    const dy = f32([1, 1, 2, 2]);
    await ctx.maxpool2dBackward(dy, indices, { kernel: 2, inputShape: [1, 1, 4, 4] });
    expect(be.calls.map((c) => c.op)).toEqual(['maxpool2d', 'maxpool2dBackward']);
    // the same values written by the user are not trusted: output 1's index 0 is outside its window
    const same = ctx.tensor(new Int32Array(4), [1, 1, 2, 2]);
    await rejects(() => ctx.maxpool2dBackward(dy, same, { kernel: 2, inputShape: [1, 1, 4, 4] }), {
      op: 'maxpool2dBackward',
      arg: 'indices',
      shapes: { dy: [1, 1, 2, 2], indices: [1, 1, 2, 2], inputShape: [1, 1, 4, 4] },
      says: ['index 0 at output 1 (sample 0, channel 0, y 0, x 1)'],
    });
    // the same indices for a geometry they were not made for are checked too
    await rejects(() => ctx.maxpool2dBackward(dy, indices, { kernel: 2, padding: 'valid', inputShape: [1, 1, 5, 5] }), {
      op: 'maxpool2dBackward',
      arg: 'indices',
    });
    // valid user-written indices (bottom-right of each window) reach the kernel
    const ok = ctx.tensor(Int32Array.from([5, 7, 13, 15]), [1, 1, 2, 2]);
    await ctx.maxpool2dBackward(dy, ok, { kernel: 2, inputShape: [1, 1, 4, 4] });
    expect(be.calls.map((c) => c.op)).toEqual(['maxpool2d', 'maxpool2dBackward', 'maxpool2dBackward']);
  });
});

describe('issue 18: unknown option keys are refused, naming the nearest valid key', () => {
  const x = () => f32([1, 2, 6, 6]);
  const w = () => f32([3, 2, 3, 3]);
  const cases: [string, string, string, string, (() => unknown)][] = [
    ['conv2d { paddding }', 'conv2d', 'paddding', 'padding', () => ctx.conv2d(x(), w(), { paddding: 0 } as any)],
    ['conv2d { strides }', 'conv2d', 'strides', 'stride', () => ctx.conv2d(x(), w(), { strides: 2 } as any)],
    ['conv2d { Bias }', 'conv2d', 'Bias', 'bias', () => ctx.conv2d(x(), w(), { Bias: null } as any)],
    ['conv2dBackward { want }', 'conv2dBackward', 'want', 'wants', () => ctx.conv2dBackward(x(), w(), f32([1, 3, 6, 6]), { want: { dx: false } } as any)],
    ['conv2dBackward wants { dX }', 'conv2dBackward', 'dX', 'dx', () => ctx.conv2dBackward(x(), w(), f32([1, 3, 6, 6]), { wants: { dX: false } } as any)],
    ['conv1d { dilations }', 'conv1d', 'dilations', 'dilation', () => ctx.conv1d(f32([1, 2, 8]), f32([3, 2, 3]), { dilations: 2 } as any)],
    ['im2col { pading }', 'im2col', 'pading', 'padding', () => ctx.im2col(x(), { kernel: 3, pading: 1 } as any)],
    ['col2im { inputshape }', 'col2im', 'inputshape', 'inputShape', () => ctx.col2im(f32([1, 18, 36]), { kernel: 3, inputShape: [1, 2, 6, 6], inputshape: 1 } as any)],
    ['maxpool2d { kernal }', 'maxpool2d', 'kernal', 'kernel', () => ctx.maxpool2d(x(), { kernel: 2, kernal: 3 } as any)],
    ['maxpool2d { ceil_mode }', 'maxpool2d', 'ceil_mode', 'ceilMode', () => ctx.maxpool2d(x(), { kernel: 2, ceil_mode: true } as any)],
    ['maxpool2dBackward { strides }', 'maxpool2dBackward', 'strides', 'stride', () => ctx.maxpool2dBackward(f32([1, 2, 3, 3]), i32([1, 2, 3, 3]), { kernel: 2, inputShape: [1, 2, 6, 6], strides: 1 } as any)],
    ['gemm { transa }', 'gemm', 'transa', 'transA', () => ctx.gemm(f32([2, 3]), f32([3, 2]), { transa: true } as any)],
    ['sgd { momentm }', 'sgd', 'momentm', 'momentum', () => ctx.sgd(f32([4]), f32([4]), f32([4]), { lr: 0.1, momentm: 0.9 } as any)],
    ['sgd { weight_decay }', 'sgd', 'weight_decay', 'weightDecay', () => ctx.sgd(f32([4]), f32([4]), f32([4]), { lr: 0.1, weight_decay: 0.1 } as any)],
  ];
  for (const [name, op, key, near, call] of cases) {
    it(`${name}: UnknownOptionError on '${key}', did you mean '${near}'`, async () => {
      const arg = name.includes('wants {') ? `wants.${key}` : key;
      const v = await rejects(call, { cls: UnknownOptionError, op, arg, says: [`unknown option '${key}'`, `did you mean '${near}'?`] });
      expect((v as UnknownOptionError).key).toBe(key);
      expect((v as UnknownOptionError).suggestion).toBe(near);
    });
  }

  it('a non-object options argument is refused', async () => {
    await rejects(() => ctx.conv2d(x(), w(), 5 as any), { op: 'conv2d', arg: 'options', says: ['an options object', 'received 5'] });
    await rejects(() => ctx.gemm(f32([2, 3]), f32([3, 2]), [] as any), { op: 'gemm', arg: 'options', says: ['received []'] });
    await rejects(() => ctx.maxpool2d(x(), undefined as any), { op: 'maxpool2d', arg: 'options' });
  });

  it('known keys with undefined values still run (defaults)', async () => {
    await ctx.conv2d(x(), w(), { stride: undefined, padding: undefined, bias: undefined });
    expect(be.calls.map((c) => c.op)).toEqual(['conv2d']);
  });

  it('createContext refuses an unknown top-level key', async () => {
    const reg = new Registry().register({ name: 'fake', priority: 1, probe: () => true, create: () => new RecordingBackend() });
    const err = await createContext({ backnd: 'fake', registry: reg } as any).catch((e) => e);
    expect(err).toBeInstanceOf(UnknownOptionError);
    expect(err.message).toContain("did you mean 'backend'?");
  });

  it('edit distance counts a transposition as one edit; nearestKey picks the closest', () => {
    expect(editDistance('mdoe', 'mode')).toBe(1);
    expect(editDistance('wokers', 'workers')).toBe(1);
    expect(editDistance('paddding', 'padding')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
    expect(nearestKey('mdoe', ['allowCpuFallback', 'mode', 'convAlgorithm'])).toBe('mode');
    expect(nearestKey('x', [])).toBeUndefined();
  });
});

describe('issue 18: backendOptions keys are checked against the descriptor', () => {
  const made: string[] = [];
  const d = (name: string, optionKeys: string[] | undefined, probe: () => unknown = () => true) => ({
    name,
    priority: 1,
    optionKeys,
    probe: probe as () => boolean,
    create: (o?: unknown) => {
      made.push(`${name}:${JSON.stringify(o ?? null)}`);
      return new RecordingBackend(name);
    },
  });
  beforeEach(() => {
    made.length = 0;
  });

  it("{ mdoe: 'webasm' }: UnknownOptionError naming 'mode', nothing created", async () => {
    const reg = new Registry().register(d('gpu', ['mode', 'allowCpuFallback', 'convAlgorithm']));
    const err = await createContext({ backend: 'gpu', registry: reg, backendOptions: { mdoe: 'webasm' } }).catch((e) => e);
    expect(err).toBeInstanceOf(UnknownOptionError);
    expect(err.arg).toBe('backendOptions.mdoe');
    expect(err.suggestion).toBe('mode');
    expect(err.message).toContain("unknown option 'mdoe'");
    expect(made).toEqual([]);
    const ok = await createContext({ backend: 'gpu', registry: reg, backendOptions: { mode: 'webasm' } });
    expect(ok.backendName).toBe('gpu');
    expect(made).toEqual(['gpu:{"mode":"webasm"}']);
  });

  it('{ wokers: 1 } through Registry.create; a backend without options refuses any key', async () => {
    const reg = new Registry().register(d('pool', ['workers', 'minTaskWork'])).register(d('plain', []));
    const e1 = await reg.create('pool', { wokers: 1 }).catch((e) => e);
    expect(e1).toBeInstanceOf(UnknownOptionError);
    expect(e1.suggestion).toBe('workers');
    const e2 = await reg.create('plain', { workers: 1 }).catch((e) => e);
    expect(e2).toBeInstanceOf(UnknownOptionError);
    expect(e2.message).toContain('expected no options');
    const e3 = await reg.create('pool', 'fast' as any).catch((e) => e);
    expect(e3).toBeInstanceOf(ValidationError);
    expect(e3.arg).toBe('backendOptions');
    expect(made).toEqual([]);
  });

  it("'auto' checks the options against every registered backend, whichever would be picked", async () => {
    const reg = new Registry().register(d('a', ['workers'], () => false)).register(d('b', ['workers']));
    await expect(reg.create('auto', { wokers: 2 })).rejects.toBeInstanceOf(UnknownOptionError);
    expect((await reg.create('auto', { workers: 2 })).name).toBe('b');
  });

  it("'auto': a key only some backends take is refused with the per-backend form; a key none takes names the nearest of any", async () => {
    const reg = new Registry().register(d('pool', ['workers', 'hostThread'])).register(d('plain', []));
    const e1 = await reg.create('auto', { workers: 2 }).catch((e) => e);
    expect(e1).toBeInstanceOf(ValidationError);
    expect(e1).not.toBeInstanceOf(UnknownOptionError);
    expect(e1.arg).toBe('backendOptions.workers');
    expect(e1.message).toContain("plain does not take 'workers'");
    expect(e1.message).toContain("backend: [{ name: 'pool', options: { workers: ... } }, 'plain']");
    const e2 = await reg.create('auto', { hostTread: true }).catch((e) => e);
    expect(e2).toBeInstanceOf(UnknownOptionError);
    expect(e2.suggestion).toBe('hostThread');
    expect(made).toEqual([]);
  });

  it('probe() gets the options create() will get (by name, in a list entry and under auto)', async () => {
    const seen: unknown[] = [];
    const reg = new Registry().register({
      name: 'w',
      priority: 1,
      optionKeys: ['workerUrl'],
      probe: (o?: unknown) => {
        seen.push(o);
        return true;
      },
      create: () => new RecordingBackend('w'),
    });
    await reg.create('w', { workerUrl: 'a.js' });
    await reg.create([{ name: 'w', options: { workerUrl: 'b.js' } }]);
    await reg.create('auto', { workerUrl: 'c.js' });
    expect(seen).toEqual([{ workerUrl: 'a.js' }, { workerUrl: 'b.js' }, { workerUrl: 'c.js' }]);
  });

  it('a descriptor without optionKeys gets its options unchecked (older third-party descriptors)', async () => {
    const reg = new Registry().register(d('old', undefined));
    expect((await reg.create('old', { anything: 1 })).name).toBe('old');
  });
});

describe('issue 18: ordered backend preference and ctx.selection', () => {
  const d = (name: string, probe: () => unknown, create: () => KernelBackend = () => new RecordingBackend(name), optionKeys?: string[]) => ({
    name,
    priority: 50,
    optionKeys,
    probe: probe as () => boolean,
    create,
  });
  const reg = () =>
    new Registry()
      .register(d('gpu', () => ({ available: false, reason: 'no GPU here' })))
      .register(d('threads', () => true, () => { throw new Error('worker failed to start'); }))
      .register(d('simd', () => ({ available: true, reason: 'wasm-simd' }), undefined, ['memory']))
      .register(d('js', () => true, undefined, []));

  it("takes the first that probes available AND creates; selection says what was skipped and why", async () => {
    const ctx2 = await createContext({ backend: ['gpu', 'missing', 'threads', 'simd', 'js'], registry: reg() });
    expect(ctx2.backendName).toBe('simd');
    expect(ctx2.selection.requested).toEqual(['gpu', 'missing', 'threads', 'simd', 'js']);
    expect(ctx2.selection.chosen).toBe('simd');
    expect(ctx2.selection.attempts.map((a) => [a.name, a.outcome])).toEqual([
      ['gpu', 'skipped'],
      ['missing', 'skipped'],
      ['threads', 'failed'],
      ['simd', 'chosen'],
    ]);
    expect(ctx2.selection.attempts[0]!.reason).toBe('no GPU here');
    expect(ctx2.selection.attempts[1]!.reason).toContain('not registered');
    expect(ctx2.selection.attempts[2]!.reason).toContain('worker failed to start');
    expect(ctx2.selection.attempts[3]!.reason).toBe('wasm-simd');
  });

  it('Registry.create takes the same list; per-entry options go to their backend only', async () => {
    const created: unknown[] = [];
    const r = reg().register(d('simd', () => true, () => new RecordingBackend('simd'), ['memory']));
    r.register({ ...d('js', () => true, undefined, []), create: (o?: unknown) => (created.push(o), new RecordingBackend('js')) });
    const b = await r.create(['gpu', { name: 'js', options: {} }]);
    expect(b.name).toBe('js');
    expect(created).toEqual([{}]);
    // a typo in the options of a listed backend fails up front, even though 'js' comes first
    const err = await r.create(['js', { name: 'simd', options: { memroy: 1 } }] as any).catch((e) => e);
    expect(err).toBeInstanceOf(UnknownOptionError);
    expect(err.arg).toBe('backend[1].options.memroy');
  });

  it("nothing in the list starts: BackendUnavailableError listing each reason; the names are not joined into one", async () => {
    const err = await createContext({ backend: ['gpujs', 'wasm'], registry: new Registry() }).catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).not.toContain("'gpujs,wasm'");
    expect(err.message).toContain('none of the backends [gpujs, wasm] could be created');
    expect(err.message).toContain('gpujs: not registered');
  });

  it('a bad list is a ValidationError', async () => {
    for (const bad of [[], ['js', 3], ['auto'], [{ nam: 'js' }]]) {
      const err = await createContext({ backend: bad as any, registry: reg() }).catch((e) => e);
      expect(err, JSON.stringify(bad)).toBeInstanceOf(ValidationError);
      expect(err.arg).toMatch(/^backend/);
    }
    const err = await createContext({ backend: 42 as any, registry: reg() }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
  });

  it("'auto' and a single name fill ctx.selection too", async () => {
    const a = await createContext({ registry: reg() });
    expect(a.selection.requested).toBe('auto');
    expect(a.selection.chosen).toBe(a.backendName);
    expect(a.selection.attempts.at(-1)).toMatchObject({ name: a.backendName, outcome: 'chosen' });
    expect(a.selection.attempts.find((x) => x.name === 'gpu')).toMatchObject({ outcome: 'skipped', reason: 'no GPU here' });
    const one = await createContext({ backend: 'js', registry: reg() });
    expect(one.selection).toMatchObject({ requested: ['js'], chosen: 'js', attempts: [{ name: 'js', outcome: 'chosen' }] });
    expect(new Context(new RecordingBackend('direct')).selection.chosen).toBe('direct');
  });
});

describe('issue 18: tensor(), zeros() and a disposed context', () => {
  it("tensor([1, 'a', 3, 4]) is refused, naming the element", async () => {
    await rejects(() => ctx.tensor([1, 'a', 3, 4] as any, [2, 2]), { op: 'tensor', arg: 'values', says: ['"a" at index 1'] });
    await rejects(() => ctx.tensor([1, null, 3, 4] as any, [2, 2]), { op: 'tensor', arg: 'values', says: ['null at index 1'] });
    await rejects(() => ctx.tensor([1, 2, 3, undefined] as any, [2, 2], 'int32'), { op: 'tensor', arg: 'values', says: ['undefined at index 3'] });
    await rejects(() => ctx.tensor([1, 2 ** 31, 3, 4], [2, 2], 'int32'), { op: 'tensor', arg: 'values', says: ['outside the int32 range'] });
    expect(be.store.size).toBe(0);
  });

  it('NaN and Infinity are legal float32 values', async () => {
    const t = ctx.tensor([NaN, Infinity, -Infinity, 0], [2, 2]);
    expect(Array.from(await t.read())).toEqual([NaN, Infinity, -Infinity, 0]);
  });

  it('tensor() and zeros() after dispose(): DisposedContextError, nothing written', async () => {
    await ctx.dispose();
    await rejects(() => ctx.tensor(new Float32Array(4), [2, 2]), { cls: DisposedContextError, op: 'tensor', arg: 'context', says: ['after dispose()'] });
    await rejects(() => ctx.zeros([2, 2]), { cls: DisposedContextError, op: 'zeros', arg: 'context' });
    await rejects(() => ctx.relu(f32Dead()), { cls: DisposedContextError, op: 'relu', arg: 'context' });
    expect(be.store.size).toBe(0);
  });
  const f32Dead = () => ({}) as Tensor;

  it('a bad dtype is refused', async () => {
    await rejects(() => ctx.zeros([2], 'float64' as any), { op: 'zeros', arg: 'dtype', says: ['"float64"'] });
    await rejects(() => ctx.tensor([1, 2], [2], 'uint8' as any), { op: 'tensor', arg: 'dtype' });
  });
});

describe('issue 18: error texts print what was passed', () => {
  it('a NaN size prints as NaN, not null', async () => {
    const v = await rejects(() => ctx.tensor(new Float32Array(192), [NaN, 3, 8, 8]), { op: 'tensor', arg: 'shape' });
    expect(v.message).toContain('received [NaN,3,8,8]');
    expect(v.message).not.toContain('null');
    const z = await rejects(() => ctx.zeros([2, undefined as any]), { op: 'zeros', arg: 'shape' });
    expect(z.message).toContain('received [2,undefined]');
  });

  it("stride: [1] prints as [1], not 'undefined'", async () => {
    const x = f32([1, 1, 5, 5]);
    const w = f32([1, 1, 3, 3]);
    const v = await rejects(() => ctx.conv2d(x, w, { stride: [1] as any }), { op: 'conv2d', arg: 'stride', says: ['received [1]'] });
    expect(v.message).not.toContain('undefined');
    await rejects(() => ctx.maxpool2d(x, { kernel: [2] as any }), { op: 'maxpool2d', arg: 'kernel', says: ['received [2]'] });
    await rejects(() => ctx.conv2d(x, w, { dilation: '2' as any }), { op: 'conv2d', arg: 'dilation', says: ['received "2"'] });
  });

  it("a tensor of a second context of the same backend says it belongs to another context", async () => {
    const other = new Context(new RecordingBackend('fake'));
    const x = f32([1, 1, 5, 5]);
    const w = other.tensor(new Float32Array(9), [1, 1, 3, 3]);
    const v = await rejects(() => ctx.conv2d(x, w), { cls: BackendMismatchError, op: 'conv2d', arg: 'w' });
    expect(v.message).toContain("another context of backend 'fake'");
    expect(v.message).not.toContain("expected a tensor owned by backend 'fake', received a tensor owned by backend 'fake'");
  });

  it('formatValue', () => {
    expect(formatValue([NaN, 3, Infinity, -0])).toBe('[NaN,3,Infinity,-0]');
    expect(formatValue([1, undefined])).toBe('[1,undefined]');
    expect(formatValue({ a: 1 })).toBe('{ a: 1 }');
    expect(formatValue(new Float64Array(2))).toBe('a Float64Array');
  });
});

describe('issue 18: empty tensors (a 0 in N) are refused, saying so', () => {
  it('tensor() and zeros() with a 0 dimension: ValidationError saying empty tensors are not supported', async () => {
    await rejects(() => ctx.tensor(new Float32Array(0), [0, 3, 8, 8]), { op: 'tensor', arg: 'shape', says: ['empty batch N = 0', 'not supported', 'received [0,3,8,8]'] });
    await rejects(() => ctx.zeros([0, 10]), { op: 'zeros', arg: 'shape', says: ['not supported'] });
    await rejects(() => ctx.tensor([], [0]), { op: 'tensor', arg: 'shape', says: ['not supported'] });
    expect(be.store.size).toBe(0);
  });
  it('reshape to an empty shape is refused too', async () => {
    const t = f32([2, 3]);
    await rejects(() => t.reshape([0, 6]), { op: 'reshape', arg: 'shape' });
  });
});
