/**
 * conv2dTranspose / conv1dTranspose (+ backward), composed in core: the conv geometry they send to
 * conv2dBackward / conv2d (the conv they are the adjoint of), the kernels each call needs, and bad
 * input refused with a typed error before any kernel runs.
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

function recording(skip: string[] = []) {
  const calls: { op: string; p: any; wants?: any }[] = [];
  const rt = new MapRuntime();
  const z = (n: number) => rt.zeros(n, 'float32');
  const all = {
    conv2d: (_: MapRuntime, _x: DataId, _w: DataId, _b: DataId | null, p: any) => (calls.push({ op: 'conv2d', p }), z(p.N * p.K * p.outH * p.outW)),
    conv2dBackward: (_: MapRuntime, _x: DataId, _w: DataId, _dy: DataId, p: any, wants: any) => {
      calls.push({ op: 'conv2dBackward', p, wants });
      return {
        dx: wants.dx ? z(p.N * p.C * p.inH * p.inW) : undefined,
        dw: wants.dw ? z((p.K * p.C * p.kH * p.kW) / p.groups) : undefined,
        db: wants.db ? z(p.K) : undefined,
      };
    },
    add: (_: MapRuntime, _a: DataId, _b: DataId, p: any) => (calls.push({ op: 'add', p }), z(p.size)),
    sumToShape: (_: MapRuntime, _x: DataId, p: any) => (calls.push({ op: 'sumToShape', p }), z(p.outSize)),
  };
  const kernels = Object.fromEntries(Object.entries(all).filter(([k]) => !skip.includes(k)));
  const be = defineBackend({ name: 'rec', engine: 'rec', precision: { atol: 0, rtol: 0 }, runtime: rt, kernels });
  return { ctx: new Context(be), calls, rt };
}

const f = (ctx: Context, shape: number[]) => ctx.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);

describe('conv2dTranspose', () => {
  it("is conv2dBackward's data gradient of the conv on the output shape (ONNX output size), bias by add", async () => {
    const { ctx, calls, rt } = recording();
    const x = f(ctx, [2, 4, 5, 6]);
    const w = f(ctx, [4, 3, 3, 3]); // [C, K/groups, kH, kW], groups 2 -> K = 6
    const bias = f(ctx, [6]);
    const y = await ctx.conv2dTranspose(x, w, { stride: 2, padding: [1, 0, 1, 1], outputPadding: 1, groups: 2, bias });
    // out = (in - 1)*s - before - after + d*(k - 1) + outputPadding + 1
    expect(y.shape).toEqual([2, 6, 4 * 2 - 1 + 2 + 1 + 1, 5 * 2 - 2 + 2 + 1 + 1]);
    expect(calls.map((c) => c.op)).toEqual(['conv2dBackward', 'add']);
    expect(calls[0]!.wants).toEqual({ dx: true, dw: false, db: false });
    expect(calls[0]!.p).toMatchObject({ N: 2, C: 6, K: 4, groups: 2, inH: 11, inW: 12, outH: 5, outW: 6, strideH: 2, padTop: 1, padBottom: 0, padLeft: 1, padRight: 0 });
    // the conv's after-pad is max(0, pad - outputPadding): the same window count, never negative
    expect(calls[1]!.p.bStrides).toEqual([0, 1, 0, 0]);
    expect(ctx.lastRun?.op).toBe('conv2dTranspose');
    // no leak: the conv's placeholder input is freed
    y.dispose();
    for (const t of [x, w, bias]) t.dispose();
    expect(rt.data.size).toBe(0);
  });

  it("'same' (default) gives in*stride; outputPadding past a stride shortens the conv's after-pad", async () => {
    const { ctx, calls } = recording();
    const x = f(ctx, [1, 2, 4, 5]);
    const y = await ctx.conv2dTranspose(x, f(ctx, [2, 3, 4, 4]), { stride: 2 });
    expect(y.shape).toEqual([1, 3, 8, 10]);
    expect(calls[0]!.p).toMatchObject({ inH: 8, inW: 10, outH: 4, outW: 5, padTop: 1, padLeft: 1 });
    // dilation 3, stride 1, outputPadding 2 >= stride: after-pad max(0, 2 - 2) = 0
    const y2 = await ctx.conv2dTranspose(x, f(ctx, [2, 2, 2, 2]), { dilation: 3, padding: [0, 2, 1, 2], outputPadding: 2 });
    expect(y2.shape).toEqual([1, 2, 3 - 2 + 3 + 2 + 1, 4 - 3 + 3 + 2 + 1]);
    expect(calls[1]!.p).toMatchObject({ padTop: 0, padBottom: 0, padLeft: 1, padRight: 0, outH: 4, outW: 5 });
    // outputPadding 2 >= stride 2 with after-pad 1 (dilation 3 allows it): conv after-pad 0
    const y3 = await ctx.conv2dTranspose(x, f(ctx, [2, 2, 3, 4]), { stride: 2, dilation: [1, 3], padding: [1, 0, 0, 1], outputPadding: [0, 2] });
    expect(y3.shape).toEqual([1, 2, 3 * 2 - 1 + 2 + 1, 4 * 2 - 1 + 9 + 2 + 1]);
    expect(calls[2]!.p).toMatchObject({ padRight: 0, outH: 4, outW: 5, inW: 19 });
  });

  it('backward: dx by conv2d of dy, dw by conv2dBackward with x as its dy, db by sumToShape; wants picks', async () => {
    const { ctx, calls } = recording();
    const x = f(ctx, [2, 2, 3, 3]);
    const w = f(ctx, [2, 4, 3, 3]);
    const o = { stride: 2, padding: 1, outputPadding: 1 };
    const dy = f(ctx, [2, 4, 6, 6]);
    const r = await ctx.conv2dTransposeBackward(x, w, dy, o);
    expect(r.dx!.shape).toEqual([2, 2, 3, 3]);
    expect(r.dw!.shape).toEqual([2, 4, 3, 3]);
    expect(r.db!.shape).toEqual([4]);
    expect(calls.map((c) => c.op)).toEqual(['conv2d', 'conv2dBackward', 'sumToShape']);
    expect(calls[0]!.p).toMatchObject({ C: 4, K: 2, inH: 6, outH: 3, padTop: 1, padBottom: 0 });
    expect(calls[1]!.wants).toEqual({ dx: false, dw: true, db: false });
    await ctx.conv2dTransposeBackward(x, w, dy, { ...o, wants: { dx: false, dw: false } });
    expect(calls.slice(3).map((c) => c.op)).toEqual(['sumToShape']);
  });

  it('refuses bad input with a typed error before any kernel runs', async () => {
    const { ctx, calls } = recording();
    const x = f(ctx, [1, 4, 3, 3]);
    const w = f(ctx, [4, 2, 3, 3]);
    const bad: [Record<string, unknown>, string, Tensor?][] = [
      [{ outputPadding: 2, stride: 2, padding: 'valid' }, 'outputPadding'],
      [{ outputPadding: 1 }, 'outputPadding'], // with 'same'
      [{ outputPadding: -1, padding: 'valid' }, 'outputPadding'],
      [{ groups: 3 }, 'groups'],
      [{ padding: [5, 5, 0, 0] }, 'padding'],
      [{ padding: [1, 1, 1] }, 'padding'],
      [{ stride: 0 }, 'stride'],
      [{ dilation: 3, padding: [0, 0, 0, 0], outputPadding: 2 }, 'outputPadding'], // rows no input reaches
      [{ bias: f(ctx, [3]) }, 'bias'],
      [{ padMode: 'reflect' }, 'padMode'],
    ];
    for (const [o, arg] of bad) {
      const e = (await ctx.conv2dTranspose(x, w, o as never).catch((err) => err)) as Error;
      expect(e instanceof ValidationError || e instanceof UnknownOptionError, `${arg}: ${e}`).toBe(true);
      expect(e.message, JSON.stringify(o)).toContain(arg);
    }
    await expect(ctx.conv2dTranspose(x, f(ctx, [3, 2, 3, 3]))).rejects.toBeInstanceOf(ValidationError);
    await expect(ctx.conv2dTransposeBackward(x, w, f(ctx, [1, 2, 4, 3]))).rejects.toBeInstanceOf(ValidationError);
    expect(calls).toEqual([]);
  });

  it('NotImplementedError naming the op when a kernel the call needs is missing', async () => {
    const { ctx, calls } = recording(['add', 'sumToShape']);
    const x = f(ctx, [1, 2, 3, 3]);
    const w = f(ctx, [2, 2, 3, 3]);
    const e = (await ctx.conv2dTranspose(x, w, { bias: f(ctx, [2]) }).catch((err) => err)) as NotImplementedError;
    expect(e).toBeInstanceOf(NotImplementedError);
    expect(e.op).toBe('conv2dTranspose');
    expect(calls).toEqual([]);
    // without a bias it needs conv2dBackward only; backward without db needs no sumToShape
    await ctx.conv2dTranspose(x, w);
    await ctx.conv2dTransposeBackward(x, w, f(ctx, [1, 2, 3, 3]), { wants: { db: false } });
    await expect(ctx.conv2dTransposeBackward(x, w, f(ctx, [1, 2, 3, 3]))).rejects.toBeInstanceOf(NotImplementedError);
    const x1 = f(ctx, [1, 2, 3]);
    const w1 = f(ctx, [2, 2, 3]);
    const e1 = (await ctx.conv1dTranspose(x1, w1, { bias: f(ctx, [2]) }).catch((err) => err)) as NotImplementedError;
    expect([e1 instanceof NotImplementedError, e1.op]).toEqual([true, 'conv1dTranspose']);
    const e2 = (await ctx.conv1dTransposeBackward(x1, w1, f(ctx, [1, 2, 3])).catch((err) => err)) as NotImplementedError;
    expect([e2 instanceof NotImplementedError, e2.op]).toEqual([true, 'conv1dTransposeBackward']);
  });
});

describe('conv1dTranspose', () => {
  it('is conv2dTranspose with H = 1, rank 3 in and out; typed errors under its own name', async () => {
    const { ctx, calls } = recording();
    const x = f(ctx, [2, 3, 7]);
    const w = f(ctx, [3, 4, 3]);
    const y = await ctx.conv1dTranspose(x, w, { stride: 2, padding: 1, outputPadding: 1, bias: f(ctx, [4]) });
    expect(y.shape).toEqual([2, 4, 6 * 2 - 2 + 2 + 1 + 1]);
    expect(calls[0]!.p).toMatchObject({ inH: 1, kH: 1, strideH: 1, padTop: 0, padBottom: 0, padLeft: 1, padRight: 0, outW: 7 });
    expect(ctx.lastRun?.op).toBe('conv1dTranspose');
    const r = await ctx.conv1dTransposeBackward(x, w, f(ctx, [...y.shape]), { stride: 2, padding: 1, outputPadding: 1 });
    expect([r.dx!.shape, r.dw!.shape, r.db!.shape]).toEqual([[2, 3, 7], [3, 4, 3], [4]]);
    const n = calls.length;
    for (const [o, arg] of [[{ stride: [1, 2] }, 'stride'], [{ outputPadding: 1.5 }, 'outputPadding'], [{ padding: [0, 0, 1, 1] }, 'padding']] as const) {
      const e = (await ctx.conv1dTranspose(x, w, o as never).catch((err) => err)) as ValidationError;
      expect(e).toBeInstanceOf(ValidationError);
      expect(e.op).toBe('conv1dTranspose');
      expect(e.message).toContain(arg);
    }
    await expect(ctx.conv1dTranspose(f(ctx, [2, 3, 1, 7]), w)).rejects.toBeInstanceOf(ValidationError);
    expect(calls.length).toBe(n);
  });
});
