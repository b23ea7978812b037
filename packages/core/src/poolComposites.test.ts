/**
 * maxpool2d's dilation and the pooling composites (maxpool1d, avgpool1d, globalMaxPool2d and their
 * backwards): the kernel parameters core sends (geometry computed once, here), and bad input
 * refused with a typed error before any kernel runs.
 */
import { describe, expect, it } from 'vitest';
import { Context } from './context.js';
import { defineBackend, type BackendRuntime } from './define.js';
import { NotImplementedError, UnknownOptionError, ValidationError } from './errors.js';
import type { DataId } from './backend.js';
import type { DType } from './tensor.js';

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
  const calls: { op: string; p: any }[] = [];
  const rt = new MapRuntime();
  const all = {
    maxpool2d: (r: MapRuntime, _x: DataId, p: any) => {
      calls.push({ op: 'maxpool2d', p });
      const n = p.N * p.C * p.outH * p.outW;
      // index of each output: the first tap of its window that lies in the image (valid by construction)
      const idx = new Int32Array(n);
      let o = 0;
      for (let pl = 0; pl < p.N * p.C; pl++)
        for (let oy = 0; oy < p.outH; oy++)
          for (let ox = 0; ox < p.outW; ox++, o++) {
            let iy = oy * p.strideH - p.padTop;
            while (iy < 0) iy += p.dilationH;
            let ix = ox * p.strideW - p.padLeft;
            while (ix < 0) ix += p.dilationW;
            idx[o] = (pl * p.inH + iy) * p.inW + ix;
          }
      return { y: r.zeros(n, 'float32'), indices: r.write(idx, 'int32') };
    },
    maxpool2dBackward: (r: MapRuntime, _dy: DataId, _i: DataId, p: any) => (calls.push({ op: 'maxpool2dBackward', p }), r.zeros(p.N * p.C * p.inH * p.inW, 'float32')),
    avgpool2d: (r: MapRuntime, _x: DataId, p: any) => (calls.push({ op: 'avgpool2d', p }), r.zeros(p.N * p.C * p.outH * p.outW, 'float32')),
    avgpool2dBackward: (r: MapRuntime, _dy: DataId, p: any) => (calls.push({ op: 'avgpool2dBackward', p }), r.zeros(p.N * p.C * p.inH * p.inW, 'float32')),
  };
  const kernels = Object.fromEntries(Object.entries(all).filter(([k]) => !skip.includes(k)));
  const be = defineBackend({ name: 'rec', engine: 'rec', precision: { atol: 0, rtol: 0 }, runtime: rt, kernels });
  return { ctx: new Context(be), calls, rt };
}

const f = (ctx: Context, shape: number[]) => ctx.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);

describe('maxpool2d dilation', () => {
  it('reaches the kernel as dilationH/W with ONNX geometry; dilation 1 unchanged', async () => {
    const { ctx, calls } = recording();
    const x = f(ctx, [1, 2, 10, 12]);
    const r = await ctx.maxpool2d(x, { kernel: 3, stride: [1, 2], dilation: [2, 3], padding: [2, 2, 3, 1] });
    // out = floor((in + pads - d*(k-1) - 1)/s) + 1
    expect(r.y.shape).toEqual([1, 2, Math.floor((10 + 4 - 5) / 1) + 1, Math.floor((12 + 4 - 7) / 2) + 1]);
    expect(calls[0]!.p).toMatchObject({ kH: 3, kW: 3, dilationH: 2, dilationW: 3, strideH: 1, strideW: 2, padTop: 2, padBottom: 2, padLeft: 3, padRight: 1 });
    await ctx.maxpool2d(x, { kernel: 2 });
    expect(calls[1]!.p).toMatchObject({ dilationH: 1, dilationW: 1, outH: 5, outW: 6 });
    // 'same' with dilation: pads from the dilated span, out = ceil(in / stride)
    const s = await ctx.maxpool2d(x, { kernel: 3, stride: 1, dilation: 2 });
    expect(s.y.shape).toEqual([1, 2, 10, 12]);
    expect(calls[2]!.p).toMatchObject({ padTop: 2, padBottom: 2, padLeft: 2, padRight: 2 });
  });

  it("backward takes maxpool2d's own indices for the dilated geometry without a host check, and checks others against the dilated window", async () => {
    const { ctx, calls } = recording();
    const x = f(ctx, [1, 1, 7, 7]);
    const o = { kernel: 2, stride: 1, dilation: 2, padding: 'valid' as const };
    const r = await ctx.maxpool2d(x, o);
    const dy = f(ctx, [...r.y.shape]);
    await ctx.maxpool2dBackward(dy, r.indices, { ...o, inputShape: [1, 1, 7, 7] });
    expect(calls[1]!.p).toMatchObject({ dilationH: 2, dilationW: 2 });
    // index 1 for output (0, 0): inside the undilated 2x2 window, not a tap of the dilated one
    const bad = new Int32Array(r.indices.size);
    const host = (await r.indices.read()) as Int32Array;
    bad.set(host);
    bad[0] = 1;
    const ind = ctx.tensor(bad, [...r.indices.shape], 'int32');
    await expect(ctx.maxpool2dBackward(dy, ind, { ...o, inputShape: [1, 1, 7, 7] })).rejects.toBeInstanceOf(ValidationError);
    expect(calls.length).toBe(2);
  });

  it('refuses a bad dilation before any kernel runs', async () => {
    const { ctx, calls } = recording();
    const x = f(ctx, [1, 1, 6, 6]);
    for (const dilation of [0, 1.5, [1, 0], 'two'] as never[]) {
      const e = await ctx.maxpool2d(x, { kernel: 2, dilation }).catch((err) => err);
      expect(e).toBeInstanceOf(ValidationError);
      expect(e.message).toContain('dilation');
    }
    // a dilated window wider than the input
    await expect(ctx.maxpool2d(x, { kernel: 3, dilation: 3, padding: 'valid' })).rejects.toBeInstanceOf(ValidationError);
    expect(calls).toEqual([]);
  });
});

describe('maxpool1d, avgpool1d', () => {
  it('run the 2-D kernels with H = 1 and return rank 3 (indices flat into x)', async () => {
    const { ctx, calls } = recording();
    const x = f(ctx, [2, 3, 15]);
    const r = await ctx.maxpool1d(x, { kernel: 2, stride: 2, dilation: 3, padding: [1, 2] });
    expect(r.y.shape).toEqual([2, 3, 8]); // floor((15 + 3 - 3*1 - 1) / 2) + 1
    expect(r.indices.shape).toEqual([2, 3, 8]);
    expect(r.indices.dtype).toBe('int32');
    expect(calls[0]!.p).toMatchObject({ inH: 1, inW: 15, kH: 1, kW: 2, strideH: 1, strideW: 2, dilationH: 1, dilationW: 3, padTop: 0, padBottom: 0, padLeft: 1, padRight: 2 });
    expect(ctx.lastRun?.op).toBe('maxpool1d');
    const dy = f(ctx, [2, 3, 8]);
    const dx = await ctx.maxpool1dBackward(dy, r.indices, { kernel: 2, stride: 2, dilation: 3, padding: [1, 2], inputShape: [2, 3, 15] });
    expect(dx.shape).toEqual([2, 3, 15]);
    expect(calls[1]!.op).toBe('maxpool2dBackward');
    const a = await ctx.avgpool1d(x, { kernel: 4, stride: 3, padding: 2, ceilMode: true, countIncludePad: true });
    expect(calls[2]!.p).toMatchObject({ kH: 1, kW: 4, strideW: 3, padLeft: 2, padRight: 2, countIncludePad: true });
    expect(a.shape).toEqual([2, 3, calls[2]!.p.outW]);
    const da = await ctx.avgpool1dBackward(f(ctx, [...a.shape]), { kernel: 4, stride: 3, padding: 2, ceilMode: true, countIncludePad: true, inputShape: [2, 3, 15] });
    expect(da.shape).toEqual([2, 3, 15]);
    expect(calls[3]!.p).toMatchObject({ inH: 1, inW: 15, outW: a.shape[2] });
    // default stride = kernel, padding 'same'
    await ctx.maxpool1d(x, { kernel: 3 });
    expect(calls[4]!.p).toMatchObject({ strideW: 3, outW: 5 });
  });

  it('refuse bad input with a typed error naming the 1-D op, before any kernel runs', async () => {
    const { ctx, calls } = recording();
    const x = f(ctx, [1, 2, 8]);
    const x4 = f(ctx, [1, 2, 1, 8]);
    const cases: [() => Promise<unknown>, string, new (...a: any[]) => Error][] = [
      [() => ctx.maxpool1d(x4, { kernel: 2 }), 'x', ValidationError],
      [() => ctx.maxpool1d(x, { kernel: [1, 2] as never }), 'kernel', ValidationError],
      [() => ctx.maxpool1d(x, { kernel: 2, stride: [1, 2] as never }), 'stride', ValidationError],
      [() => ctx.maxpool1d(x, { kernel: 2, padding: [0, 0, 1, 1] as never }), 'padding', ValidationError],
      [() => ctx.maxpool1d(x, { kernel: 2, dilation: 0 }), 'dilation', ValidationError],
      [() => ctx.maxpool1d(x, { kernel: 2, ceilMode: 1 as never }), 'ceilMode', ValidationError],
      [() => ctx.maxpool1d(x, { kernel: 2, countIncludePad: true } as never), 'countIncludePad', UnknownOptionError],
      [() => ctx.avgpool1d(x, { kernel: 2, countIncludePad: 'yes' as never }), 'countIncludePad', ValidationError],
      [() => ctx.avgpool1dBackward(x, { kernel: 2, inputShape: [1, 2, 8, 1] as never }), 'inputShape', ValidationError],
      [() => ctx.maxpool1dBackward(x, x as never, { kernel: 2, inputShape: [1, 2, 16] }), 'indices', ValidationError],
    ];
    for (const [call, arg, type] of cases) {
      const e = (await call().catch((err) => err)) as Error & { op?: string; arg?: string };
      expect(e, arg).toBeInstanceOf(type);
      expect(e.message, arg).toContain(arg);
    }
    const e = (await ctx.maxpool1d(x, { kernel: 2, stride: 0 }).catch((err) => err)) as ValidationError;
    expect(e.op).toBe('maxpool1d');
    expect(calls).toEqual([]);
  });

  it('NotImplementedError naming the composite when the backend lacks its kernel', async () => {
    const { ctx } = recording(['maxpool2d', 'avgpool2dBackward']);
    const x = f(ctx, [1, 2, 8]);
    const e = (await ctx.maxpool1d(x, { kernel: 2 }).catch((err) => err)) as NotImplementedError;
    expect(e).toBeInstanceOf(NotImplementedError);
    expect(e.op).toBe('maxpool1d');
    await expect(ctx.globalMaxPool2d(f(ctx, [1, 1, 2, 2]))).rejects.toBeInstanceOf(NotImplementedError);
    await expect(ctx.avgpool1dBackward(x, { kernel: 2, inputShape: [1, 2, 16] })).rejects.toBeInstanceOf(NotImplementedError);
  });
});

describe('globalMaxPool2d', () => {
  it('is maxpool2d with the whole plane as its window; backward is maxpool2dBackward', async () => {
    const { ctx, calls } = recording();
    const x = f(ctx, [2, 3, 5, 7]);
    const r = await ctx.globalMaxPool2d(x);
    expect(r.y.shape).toEqual([2, 3, 1, 1]);
    expect(r.indices.shape).toEqual([2, 3, 1, 1]);
    expect(calls[0]!.p).toMatchObject({ kH: 5, kW: 7, strideH: 5, strideW: 7, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, outH: 1, outW: 1, dilationH: 1, dilationW: 1 });
    expect(ctx.lastRun?.op).toBe('globalMaxPool2d');
    const dx = await ctx.globalMaxPool2dBackward(f(ctx, [2, 3, 1, 1]), r.indices, { inputShape: [2, 3, 5, 7] });
    expect(dx.shape).toEqual([2, 3, 5, 7]);
    expect(calls[1]!.p).toMatchObject({ kH: 5, kW: 7, inH: 5, inW: 7 });
    const e = (await ctx.globalMaxPool2dBackward(f(ctx, [2, 3, 1, 2]), r.indices, { inputShape: [2, 3, 5, 7] }).catch((err) => err)) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.op).toBe('globalMaxPool2dBackward');
    await expect(ctx.globalMaxPool2d(f(ctx, [2, 3, 5]))).rejects.toBeInstanceOf(ValidationError);
    expect(calls.length).toBe(2);
  });
});
