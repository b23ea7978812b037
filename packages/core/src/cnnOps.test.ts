/**
 * The issue-20 ops in core: the parameters core computes for the kernels (broadcast strides, axis
 * split, pooling geometry, batch-norm defaults), and bad input refused with a typed error that
 * names op, argument and shapes before any kernel runs.
 */
import { describe, expect, it } from 'vitest';
import { Context } from './context.js';
import { defineBackend, type BackendRuntime } from './define.js';
import { NotImplementedError, UnknownOptionError, ValidationError } from './errors.js';
import type { DataId } from './backend.js';
import type { DType, Tensor } from './tensor.js';

class MapRuntime implements BackendRuntime {
  readonly data = new Map<DataId, Float32Array | Int32Array>();
  write(values: Float32Array | Int32Array, dtype: DType): DataId {
    const id = {};
    this.data.set(id, dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values));
    return id;
  }
  zeros(size: number, dtype: DType): DataId {
    return this.write(dtype === 'int32' ? new Int32Array(size) : new Float32Array(size), dtype);
  }
  read(id: DataId): Promise<Float32Array | Int32Array> {
    return Promise.resolve(this.data.get(id)!.slice());
  }
  readSync(id: DataId): Float32Array | Int32Array {
    return this.data.get(id)!.slice();
  }
  disposeData(id: DataId): void {
    this.data.delete(id);
  }
  memory() {
    return { dataIds: this.data.size };
  }
  dispose(): void {
    this.data.clear();
  }
}

interface Call {
  op: string;
  p: any;
}

function recording(skip: string[] = []) {
  const calls: Call[] = [];
  const rt = new MapRuntime();
  const z = (n: number) => rt.zeros(n, 'float32');
  const rec = (op: string, p: any) => calls.push({ op, p });
  const all = {
    batchNorm2d: (_: MapRuntime, _x: DataId, _g: DataId | null, _b: DataId | null, rm: DataId | null, rv: DataId | null, p: any) => {
      rec('batchNorm2d', p);
      const upd = p.training && rm && rv;
      return { y: z(p.N * p.C * p.H * p.W), runningMean: upd ? z(p.C) : null, runningVar: upd ? z(p.C) : null };
    },
    batchNorm2dBackward: (_: MapRuntime, _x: DataId, _dy: DataId, _g: DataId | null, p: any) => {
      rec('batchNorm2dBackward', p);
      return { dx: z(p.N * p.C * p.H * p.W), dgamma: z(p.C), dbeta: z(p.C) };
    },
    add: (_: MapRuntime, _a: DataId, _b: DataId, p: any) => (rec('add', p), z(p.size)),
    sub: (_: MapRuntime, _a: DataId, _b: DataId, p: any) => (rec('sub', p), z(p.size)),
    mul: (_: MapRuntime, _a: DataId, _b: DataId, p: any) => (rec('mul', p), z(p.size)),
    sumToShape: (_: MapRuntime, _x: DataId, p: any) => (rec('sumToShape', p), z(p.outSize)),
    globalAvgPool2d: (_: MapRuntime, _x: DataId, p: any) => (rec('globalAvgPool2d', p), z(p.N * p.C)),
    globalAvgPool2dBackward: (_: MapRuntime, _dy: DataId, p: any) => (rec('globalAvgPool2dBackward', p), z(p.N * p.C * p.H * p.W)),
    avgpool2d: (_: MapRuntime, _x: DataId, p: any) => (rec('avgpool2d', p), z(p.N * p.C * p.outH * p.outW)),
    avgpool2dBackward: (_: MapRuntime, _dy: DataId, p: any) => (rec('avgpool2dBackward', p), z(p.N * p.C * p.inH * p.inW)),
    softmax: (_: MapRuntime, _x: DataId, p: any) => (rec('softmax', p), z(p.outer * p.len * p.inner)),
    softmaxBackward: (_: MapRuntime, _y: DataId, _dy: DataId, p: any) => (rec('softmaxBackward', p), z(p.outer * p.len * p.inner)),
    logSoftmax: (_: MapRuntime, _x: DataId, p: any) => (rec('logSoftmax', p), z(p.outer * p.len * p.inner)),
    logSoftmaxBackward: (_: MapRuntime, _y: DataId, _dy: DataId, p: any) => (rec('logSoftmaxBackward', p), z(p.outer * p.len * p.inner)),
  };
  const kernels = Object.fromEntries(Object.entries(all).filter(([k]) => !skip.includes(k))) as Partial<typeof all>;
  const ctx = new Context(defineBackend({ name: 'rec', engine: 'rec', precision: { atol: 0, rtol: 0 }, runtime: rt, kernels }));
  const t = (shape: number[], dtype: DType = 'float32'): Tensor => ctx.zeros(shape, dtype as 'float32');
  return { ctx, calls, t };
}

/** Asserts a ValidationError (or subclass) on op/arg whose message lists the given shapes, and that no kernel ran. */
async function refused(calls: Call[], p: Promise<unknown>, op: string, arg: string, shapeText?: string, cls: abstract new (...args: never[]) => ValidationError = ValidationError) {
  const before = calls.length;
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(cls);
  const v = e as ValidationError;
  expect([v.op, v.arg]).toEqual([op, arg]);
  if (shapeText) expect(v.message).toContain(shapeText);
  expect(calls.length, 'no kernel ran').toBe(before);
  return v;
}

describe('batchNorm2d / batchNorm2dBackward', () => {
  it('passes PyTorch defaults (eps 1e-5, momentum 0.1) and ONNX momentum 0.9 for momentumMode onnx', async () => {
    const { ctx, calls, t } = recording();
    const x = t([2, 3, 4, 5]);
    const r = await ctx.batchNorm2d(x, { runningMean: t([3]), runningVar: t([3]), training: true });
    expect(calls[0]!.p).toEqual({ N: 2, C: 3, H: 4, W: 5, training: true, eps: 1e-5, momentum: 0.1, momentumMode: 'pytorch' });
    expect(r.y.shape).toEqual([2, 3, 4, 5]);
    expect(r.runningMean!.shape).toEqual([3]);
    expect(r.runningVar!.shape).toEqual([3]);
    await ctx.batchNorm2d(x, { training: true, momentumMode: 'onnx', eps: 1e-3 });
    expect(calls[1]!.p).toMatchObject({ momentum: 0.9, momentumMode: 'onnx', eps: 1e-3 });
    const inf = await ctx.batchNorm2d(x, { runningMean: t([3]), runningVar: t([3]) });
    expect(calls[2]!.p.training).toBe(false);
    expect([inf.runningMean, inf.runningVar]).toEqual([null, null]);
  });

  it('refuses bad arguments before any work, naming op, argument and shapes', async () => {
    const { ctx, calls, t } = recording();
    const x = t([2, 3, 4, 5]);
    const v = await refused(calls, ctx.batchNorm2d(x, { gamma: t([4]), training: true }), 'batchNorm2d', 'gamma', 'gamma=[4]');
    expect(v.message).toContain('x=[2, 3, 4, 5]');
    await refused(calls, ctx.batchNorm2d(x, { runningMean: t([3]), training: true }), 'batchNorm2d', 'runningVar');
    await refused(calls, ctx.batchNorm2d(x, {}), 'batchNorm2d', 'runningMean');
    await refused(calls, ctx.batchNorm2d(t([1, 3, 1, 1]), { training: true }), 'batchNorm2d', 'x', 'x=[1, 3, 1, 1]');
    await refused(calls, ctx.batchNorm2d(x, { training: true, momentum: 1.5 }), 'batchNorm2d', 'momentum');
    await refused(calls, ctx.batchNorm2d(x, { training: true, eps: -1 }), 'batchNorm2d', 'eps');
    await refused(calls, ctx.batchNorm2d(x, { training: true, momentumMode: 'tf' as never }), 'batchNorm2d', 'momentumMode');
    await refused(calls, ctx.batchNorm2d(x, { training: 1 as never }), 'batchNorm2d', 'training');
    await refused(calls, ctx.batchNorm2d(t([2, 3, 4]), { training: true }), 'batchNorm2d', 'x');
    const u = await refused(calls, ctx.batchNorm2d(x, { trainig: true } as never), 'batchNorm2d', 'trainig', undefined, UnknownOptionError);
    expect((u as UnknownOptionError).suggestion).toBe('training');
    await refused(calls, ctx.batchNorm2dBackward(x, t([2, 3, 4, 4])), 'batchNorm2dBackward', 'dy', 'dy=[2, 3, 4, 4]');
    await refused(calls, ctx.batchNorm2dBackward(x, t([2, 3, 4, 5]), { gamma: t([1, 3, 1, 1]) }), 'batchNorm2dBackward', 'gamma');
    await refused(calls, ctx.batchNorm2dBackward(t([1, 2, 1, 1]), t([1, 2, 1, 1])), 'batchNorm2dBackward', 'x');
    const g = await ctx.batchNorm2dBackward(x, t([2, 3, 4, 5]), { gamma: t([3]) });
    expect([g.dx.shape, g.dgamma.shape, g.dbeta.shape]).toEqual([[2, 3, 4, 5], [3], [3]]);
    expect(calls.at(-1)!.p).toEqual({ N: 2, C: 3, H: 4, W: 5, eps: 1e-5 });
  });
});

describe('add / sub / mul, sumToShape and the broadcast backward ops', () => {
  it('gives the kernel the result shape and each operand strides (0 along broadcast axes)', async () => {
    const { ctx, calls, t } = recording();
    const y = await ctx.add(t([2, 3, 4, 5]), t([3, 1, 1]));
    expect(y.shape).toEqual([2, 3, 4, 5]);
    expect(calls[0]!.p).toEqual({ shape: [2, 3, 4, 5], aStrides: [60, 20, 5, 1], bStrides: [0, 1, 0, 0], size: 120 });
    await ctx.mul(t([]), t([2, 1, 4]));
    expect(calls[1]!.p).toEqual({ shape: [2, 1, 4], aStrides: [0, 0, 0], bStrides: [4, 0, 1], size: 8 });
    await ctx.sub(t([2, 1, 4, 1]), t([1, 3, 1, 5]));
    expect(calls[2]!.p).toEqual({ shape: [2, 3, 4, 5], aStrides: [4, 0, 1, 0], bStrides: [0, 5, 0, 1], size: 120 });
  });

  it('refuses shapes that do not broadcast, naming the axis', async () => {
    const { ctx, calls, t } = recording();
    const v = await refused(calls, ctx.add(t([2, 3, 4, 5]), t([4])), 'add', 'b', 'a=[2, 3, 4, 5], b=[4]');
    expect(v.received).toContain('axis -1: 5 vs 4');
    await refused(calls, ctx.mul(t([2, 3]), t([2, 3], 'int32')), 'mul', 'b');
  });

  it('sumToShape: strides of the target along x, and only shapes that broadcast to x', async () => {
    const { ctx, calls, t } = recording();
    const y = await ctx.sumToShape(t([2, 3, 4, 5]), { shape: [3, 1, 1], alpha: -1 });
    expect(y.shape).toEqual([3, 1, 1]);
    expect(calls[0]!.p).toEqual({ shape: [2, 3, 4, 5], strides: [0, 1, 0, 0], size: 120, outSize: 3, alpha: -1 });
    await refused(calls, ctx.sumToShape(t([2, 3, 4, 5]), { shape: [2, 3] }), 'sumToShape', 'shape', 'x=[2, 3, 4, 5]');
    await refused(calls, ctx.sumToShape(t([3, 1]), { shape: [3, 4] }), 'sumToShape', 'shape');
    await refused(calls, ctx.sumToShape(t([3, 4]), { shape: [0] }), 'sumToShape', 'shape');
    await refused(calls, ctx.sumToShape(t([3, 4]), { shape: [4], alpha: NaN }), 'sumToShape', 'alpha');
  });

  it('addBackward / subBackward / mulBackward: checked in full first, then sums per operand (sub negates db)', async () => {
    const { ctx, calls, t } = recording();
    const dy = t([2, 3, 4, 5]);
    await refused(calls, ctx.addBackward(dy, { aShape: [2, 3, 4, 5], bShape: [4] }), 'addBackward', 'bShape');
    await refused(calls, ctx.subBackward(dy, { aShape: [2, 3, 4, 1], bShape: [3, 1, 1] }), 'subBackward', 'dy', 'aShape=[2, 3, 4, 1]');
    await refused(calls, ctx.mulBackward(t([2, 3, 4, 5]), t([3, 1, 1]), t([2, 3, 4, 4])), 'mulBackward', 'dy');
    const s = await ctx.subBackward(dy, { aShape: [2, 3, 4, 5], bShape: [1, 3, 1, 1] });
    expect([s.da.shape, s.db.shape]).toEqual([[2, 3, 4, 5], [1, 3, 1, 1]]);
    expect(calls.map((c) => [c.op, c.p.alpha, c.p.outSize])).toEqual([
      ['sumToShape', 1, 120],
      ['sumToShape', -1, 3],
    ]);
    const m = await ctx.mulBackward(t([2, 3, 4, 5]), t([3, 1, 1]), dy);
    expect(m.db.shape).toEqual([3, 1, 1]);
    expect(calls.slice(2).map((c) => c.op)).toEqual(['mul', 'mul', 'sumToShape', 'sumToShape']);
    expect(calls[2]!.p.bStrides).toEqual([0, 1, 0, 0]); // dy * b, b broadcast
    expect(ctx.lastRun?.op).toBe('mulBackward');
  });

  it('a backend without sumToShape: the backward ops are not implemented, nothing runs', async () => {
    const { ctx, calls, t } = recording(['sumToShape']);
    await expect(ctx.addBackward(t([2, 3]), { aShape: [2, 3], bShape: [3] })).rejects.toBeInstanceOf(NotImplementedError);
    await expect(ctx.mulBackward(t([2, 3]), t([3]), t([2, 3]))).rejects.toBeInstanceOf(NotImplementedError);
    expect(calls).toEqual([]);
  });
});

describe('avgpool2d / globalAvgPool2d', () => {
  it('passes the window geometry with ceil mode, dilation and countIncludePad', async () => {
    const { ctx, calls, t } = recording();
    const y = await ctx.avgpool2d(t([1, 2, 8, 7]), { kernel: 3, stride: 3, padding: 'valid', ceilMode: true, countIncludePad: true });
    expect(y.shape).toEqual([1, 2, 3, 3]);
    expect(calls[0]!.p).toMatchObject({ N: 1, C: 2, inH: 8, inW: 7, kH: 3, kW: 3, strideH: 3, strideW: 3, padTop: 0, padBottom: 0, outH: 3, outW: 3, countIncludePad: true });
    const z = await ctx.avgpool2d(t([1, 1, 9, 9]), { kernel: 3, dilation: 2, stride: 1, padding: 2 });
    expect(z.shape).toEqual([1, 1, 9, 9]);
    expect(calls[1]!.p).toMatchObject({ dilationH: 2, padTop: 2, padBottom: 2, countIncludePad: false });
    const g = await ctx.globalAvgPool2d(t([2, 3, 5, 7]));
    expect(g.shape).toEqual([2, 3, 1, 1]);
    expect(calls[2]!.p).toEqual({ N: 2, C: 3, H: 5, W: 7 });
  });

  it('refuses bad options and shapes before any work', async () => {
    const { ctx, calls, t } = recording();
    const x = t([1, 2, 8, 8]);
    await refused(calls, ctx.avgpool2d(x, { kernel: 3, ceilMode: true }), 'avgpool2d', 'ceilMode');
    await refused(calls, ctx.avgpool2d(x, { kernel: 3, countIncludePad: 'yes' as never }), 'avgpool2d', 'countIncludePad');
    await refused(calls, ctx.avgpool2d(x, { kernel: 9, padding: 'valid' }), 'avgpool2d', 'kernel', 'x=[1, 2, 8, 8]');
    await refused(calls, ctx.avgpool2d(x, undefined as never), 'avgpool2d', 'options');
    await refused(calls, ctx.avgpool2d(t([2, 8, 8]), { kernel: 2 }), 'avgpool2d', 'x');
    await refused(calls, ctx.avgpool2dBackward(t([1, 2, 4, 3]), { kernel: 2, inputShape: [1, 2, 8, 8] }), 'avgpool2dBackward', 'dy', 'inputShape=[1, 2, 8, 8]');
    await refused(calls, ctx.avgpool2dBackward(t([1, 2, 4, 4]), { kernel: 2, inputShape: [1, 2, 8] as never }), 'avgpool2dBackward', 'inputShape');
    await refused(calls, ctx.globalAvgPool2dBackward(t([2, 3]), { inputShape: [2, 3, 4, 4] }), 'globalAvgPool2dBackward', 'dy');
    await refused(calls, ctx.globalAvgPool2dBackward(t([2, 3, 1, 2]), { inputShape: [2, 3, 4, 4] }), 'globalAvgPool2dBackward', 'dy', 'dy=[2, 3, 1, 2]');
    const dx = await ctx.avgpool2dBackward(t([1, 2, 4, 4]), { kernel: 2, inputShape: [1, 2, 8, 8] });
    expect(dx.shape).toEqual([1, 2, 8, 8]);
  });
});

describe('softmax / logSoftmax on an axis', () => {
  it('splits the shape around the axis (negative counts from the end; default -1)', async () => {
    const { ctx, calls, t } = recording();
    await ctx.softmax(t([2, 3, 4, 5]), { axis: 1 });
    await ctx.logSoftmax(t([2, 3, 4, 5]));
    await ctx.softmaxBackward(t([2, 3, 4, 5]), t([2, 3, 4, 5]), { axis: -4 });
    await ctx.logSoftmaxBackward(t([7]), t([7]), { axis: 0 });
    expect(calls.map((c) => [c.op, c.p])).toEqual([
      ['softmax', { outer: 2, len: 3, inner: 20 }],
      ['logSoftmax', { outer: 24, len: 5, inner: 1 }],
      ['softmaxBackward', { outer: 1, len: 2, inner: 60 }],
      ['logSoftmaxBackward', { outer: 1, len: 7, inner: 1 }],
    ]);
  });

  it('refuses an axis out of range, a rank-0 input and mismatched dy', async () => {
    const { ctx, calls, t } = recording();
    const v = await refused(calls, ctx.softmax(t([2, 3]), { axis: 2 }), 'softmax', 'axis', 'x=[2, 3]');
    expect(v.expected).toContain('[-2, 2)');
    await refused(calls, ctx.logSoftmax(t([2, 3]), { axis: 0.5 }), 'logSoftmax', 'axis');
    await refused(calls, ctx.softmax(t([])), 'softmax', 'x');
    await refused(calls, ctx.softmaxBackward(t([2, 3]), t([3, 2])), 'softmaxBackward', 'dy', 'y=[2, 3], dy=[3, 2]');
    await refused(calls, ctx.logSoftmax(t([2, 3]), { dim: 1 } as never), 'logSoftmax', 'dim', undefined, UnknownOptionError);
  });
});
