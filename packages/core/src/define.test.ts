import { describe, expect, it } from 'vitest';
import { Context } from './context.js';
import { defineBackend, type BackendRuntime, type KernelTable } from './define.js';
import { NotImplementedError } from './errors.js';
import { COMPOSITE_OPS, KERNEL_OPS, OP_NAMES, OPS, isOpName, opRecord } from './ops.js';
import type { DataId } from './backend.js';
import type { DType } from './tensor.js';

/** A minimal runtime: typed arrays keyed by object ids. */
class MapRuntime implements BackendRuntime {
  readonly data = new Map<DataId, Float32Array | Int32Array>();
  disposed = 0;
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
  disposeData(id: DataId): void {
    this.data.delete(id);
  }
  memory() {
    return { dataIds: this.data.size };
  }
  dispose(): void {
    this.disposed++;
    this.data.clear();
  }
  f(id: DataId): Float32Array {
    return this.data.get(id) as Float32Array;
  }
}

const kernels = {
  relu: (rt: MapRuntime, x: DataId, size: number) => {
    const out = new Float32Array(size);
    const xv = rt.f(x);
    for (let i = 0; i < size; i++) out[i] = xv[i]! > 0 ? xv[i]! : 0;
    return rt.write(out, 'float32');
  },
} satisfies KernelTable<MapRuntime>;

describe('defineBackend', () => {
  it('an engine given as a function is read at every access (what ran, after the run changed it)', async () => {
    const runtime = new MapRuntime();
    let engine = 'tiny-simd';
    const be = defineBackend({ name: 'live', engine: () => engine, precision: { atol: 0, rtol: 0 }, runtime, kernels });
    expect(be.engine).toBe('tiny-simd');
    engine = 'tiny+js';
    expect(be.engine).toBe('tiny+js');
    const ctx = new Context(be);
    const x = ctx.tensor([1, -1], [2]);
    (await ctx.relu(x)).dispose();
    expect(ctx.lastRun?.engine).toBe('tiny+js');
    x.dispose();
  });
  it('capabilities are the table keys; kernels get the runtime first and compute through a Context', async () => {
    const runtime = new MapRuntime();
    const be = defineBackend({ name: 'tiny', engine: 'tiny-js', precision: { atol: 0, rtol: 0 }, runtime, kernels });
    expect([...be.capabilities]).toEqual(['relu']);
    expect(be.name).toBe('tiny');
    expect(be.engine).toBe('tiny-js');
    expect(be.readSync).toBeUndefined();
    const ctx = new Context(be);
    const xs = [-2, -0.5, 0, 0.25, 3, -7];
    const x = ctx.tensor(xs, [2, 3]);
    const y = await ctx.relu(x);
    // independent reference: the definition of relu, elementwise
    expect(Array.from(await y.read())).toEqual(xs.map((v) => Math.max(v, 0)));
    expect(ctx.lastRun?.engine).toBe('tiny-js');
    expect(ctx.supports('relu')).toBe(true);
    expect(ctx.supports('conv2d')).toBe(false);
    const a = ctx.zeros([1, 1, 3, 3]);
    const b = ctx.zeros([1, 1, 1, 1]);
    await expect(ctx.conv2d(a, b)).rejects.toBeInstanceOf(NotImplementedError);
    a.dispose();
    b.dispose();
    x.dispose();
    y.dispose();
    expect(runtime.data.size).toBe(0);
    await be.dispose();
    expect(runtime.disposed).toBe(1);
  });

  it('refuses a key that is no op, a kernel that is not a function, and extend keys shadowing the interface', () => {
    const runtime = new MapRuntime();
    const base = { name: 'bad', engine: 'e', precision: { atol: 0, rtol: 0 }, runtime };
    expect(() => defineBackend({ ...base, kernels: { conv2D: kernels.relu } as never })).toThrow(/kernels\.conv2D is no op of the interface/);
    expect(() => defineBackend({ ...base, kernels: { relu: 42 } as never })).toThrow(/kernels\.relu is not a function/);
    expect(() => defineBackend({ ...base, kernels, extend: { engine: 'other' } })).toThrow(/extend\.engine would shadow/);
    expect(() => defineBackend({ ...base, kernels, extend: { relu: () => 0 } })).toThrow(/extend\.relu would shadow/);
    expect(() => defineBackend({ ...base, engine: '', kernels })).toThrow(/engine must be a non-empty string/);
    expect(() => defineBackend({ ...base, engine: () => '', kernels })).toThrow(/engine must be a non-empty string/);
  });

  it('extend adds members; getters stay live', () => {
    const runtime = new MapRuntime();
    const be = defineBackend({
      name: 'ext',
      engine: 'e',
      precision: { atol: 1e-4, rtol: 1e-4 },
      runtime,
      kernels,
      extend: {
        get live() {
          return runtime.data.size;
        },
        threads: 3,
      },
    });
    expect(be.threads).toBe(3);
    expect(be.live).toBe(0);
    be.write(new Float32Array(2), 'float32');
    expect(be.live).toBe(1);
    expect(be.memory()).toEqual({ dataIds: 1 });
  });

  it('readSync is forwarded when the runtime has one', () => {
    class SyncRuntime extends MapRuntime {
      readSync(id: DataId) {
        return this.data.get(id)!.slice();
      }
    }
    const be = defineBackend({ name: 's', engine: 'e', precision: { atol: 0, rtol: 0 }, runtime: new SyncRuntime(), kernels: {} });
    const id = be.write(Float32Array.of(1, 2), 'float32');
    expect(Array.from(be.readSync!(id))).toEqual([1, 2]);
    expect(be.capabilities.size).toBe(0);
  });
});

describe('op records', () => {
  it('every kernel op has a record naming itself as its kernel; composites name kernel ops only', () => {
    expect(OP_NAMES).toEqual(Object.keys(KERNEL_OPS));
    for (const op of OP_NAMES) {
      expect(OPS[op]!.kind).toBe('kernel');
      expect(OPS[op]!.kernels).toEqual([op]);
      expect(isOpName(op)).toBe(true);
    }
    for (const [name, r] of Object.entries(COMPOSITE_OPS)) {
      expect(r.name).toBe(name);
      expect(r.kind).toBe('composite');
      expect(isOpName(name)).toBe(false);
      for (const k of r.kernels) expect(isOpName(k), `${name} -> ${k}`).toBe(true);
    }
    expect(opRecord('toString')).toBeUndefined();
    expect(opRecord('dense')?.kernels).toEqual(['gemm']);
  });

  it('every Context op is a record and every record a Context method', () => {
    const methods = Object.getOwnPropertyNames(Context.prototype).filter((m) => Object.prototype.hasOwnProperty.call(OPS, m));
    expect(methods.sort()).toEqual(Object.keys(OPS).sort());
  });
});
