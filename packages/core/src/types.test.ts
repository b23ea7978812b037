/**
 * Issue 18, type level (checked by `pnpm --filter @convkit/core lint`, i.e. tsc over the tests;
 * vitest runs the same file so the runtime half fails too if the types lie): op outputs are typed
 * float32 / int32 tensors whose read() is a Float32Array / Int32Array without a cast, and backend
 * options are typed per backend name through BackendOptionsMap.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Context, createContext, type ContextOptions } from './context.js';
import { Registry } from './registry.js';
import { OP_NAMES, type BackendOptionsOf, type DataId, type KernelBackend, type OpName } from './backend.js';
import type { Tensor } from './tensor.js';
import { UnknownOptionError } from './errors.js';

interface TypetestOptions {
  threads?: number;
  mode?: 'fast' | 'exact';
}

// what a backend package does for its options
declare module './backend.js' {
  interface BackendOptionsMap {
    'typetest-backend': TypetestOptions;
  }
}

/** A tiny host backend with real (if trivial) kernels: gemm and maxpool2d compute. */
class HostBackend implements KernelBackend {
  readonly name = 'typetest-backend';
  readonly engine = 'host';
  readonly precision = { atol: 0, rtol: 0 };
  readonly capabilities: ReadonlySet<OpName> = new Set(OP_NAMES);
  #m = new Map<DataId, Float32Array | Int32Array>();
  write(v: Float32Array | Int32Array) {
    const id = {};
    this.#m.set(id, v.slice());
    return id;
  }
  zeros(n: number, d: 'float32' | 'int32') {
    const id = {};
    this.#m.set(id, d === 'int32' ? new Int32Array(n) : new Float32Array(n));
    return id;
  }
  async read(id: DataId) {
    return this.#m.get(id)!.slice();
  }
  disposeData(id: DataId) {
    this.#m.delete(id);
  }
  memory() {
    return { dataIds: this.#m.size };
  }
  dispose() {}
  gemm(a: DataId, b: DataId, _c: DataId | null, _bias: DataId | null, p: { m: number; n: number; k: number }) {
    const A = this.#m.get(a)!;
    const B = this.#m.get(b)!;
    const C = new Float32Array(p.m * p.n);
    for (let i = 0; i < p.m; i++) for (let j = 0; j < p.n; j++) for (let k = 0; k < p.k; k++) C[i * p.n + j]! += A[i * p.k + k]! * B[k * p.n + j]!;
    return this.write(C);
  }
  maxpool2d(x: DataId, p: { N: number; C: number; inH: number; inW: number; outH: number; outW: number }) {
    // 1x1 output of a 2x2 single-plane input: the max and its flat index
    const X = this.#m.get(x)!;
    let best = 0;
    for (let i = 1; i < X.length; i++) if (X[i]! > X[best]!) best = i;
    void p;
    return { y: this.write(Float32Array.of(X[best]!)), indices: this.write(Int32Array.of(best)) };
  }
}

describe('typed outputs', () => {
  it('gemm, maxpool2d().y and tensor() give Float32Array reads; indices Int32Array', async () => {
    const ctx = new Context(new HostBackend());
    const a = ctx.tensor(new Float32Array([1, 2, 3, 4]), [2, 2]);
    expectTypeOf(a).toEqualTypeOf<Tensor<'float32'>>();
    const y = await ctx.gemm(a, a);
    expectTypeOf(y).toEqualTypeOf<Tensor<'float32'>>();
    const ys: Float32Array = await y.read(); // no cast
    expectTypeOf(ys).toEqualTypeOf<Float32Array>();
    expect(Array.from(ys)).toEqual([7, 10, 15, 22]);
    const x = ctx.tensor([1, 5, 3, 2], [1, 1, 2, 2]);
    const pooled = await ctx.maxpool2d(x, { kernel: 2, padding: 'valid' });
    expectTypeOf(pooled.y).toEqualTypeOf<Tensor<'float32'>>();
    expectTypeOf(pooled.indices).toEqualTypeOf<Tensor<'int32'>>();
    const idx: Int32Array = await pooled.indices.read();
    expect(idx).toBeInstanceOf(Int32Array);
    expect(Array.from(idx)).toEqual([1]);
    expect(await pooled.y.read()).toBeInstanceOf(Float32Array);
    expectTypeOf(ctx.tensor(new Int32Array(2), [2])).toEqualTypeOf<Tensor<'int32'>>();
    expectTypeOf(ctx.tensor([1, 2], [2], 'int32')).toEqualTypeOf<Tensor<'int32'>>();
    expectTypeOf(ctx.zeros([2])).toEqualTypeOf<Tensor<'float32'>>();
    expectTypeOf(ctx.zeros([2], 'int32')).toEqualTypeOf<Tensor<'int32'>>();
    expectTypeOf(ctx.conv2d).returns.resolves.toEqualTypeOf<Tensor<'float32'>>();
    expectTypeOf(ctx.relu).returns.resolves.toEqualTypeOf<Tensor<'float32'>>();
    expectTypeOf(ctx.maxpool2dBackward).returns.resolves.toEqualTypeOf<Tensor<'float32'>>();
    expectTypeOf(ctx.softmaxCrossEntropy).returns.resolves.toEqualTypeOf<{ loss: Tensor<'float32'>; probs: Tensor<'float32'> }>();
    // @ts-expect-error an Int32Array read is not a Float32Array
    const wrong: Float32Array = await pooled.indices.read();
    void wrong;
  });
});

describe('backend options typed per backend name', () => {
  it('a backend name in BackendOptionsMap takes its options type; others take unknown', async () => {
    expectTypeOf<BackendOptionsOf<'typetest-backend'>>().toEqualTypeOf<TypetestOptions>();
    expectTypeOf<BackendOptionsOf<'not-declared'>>().toBeUnknown();
    const ok: ContextOptions<'typetest-backend'> = { backend: 'typetest-backend', backendOptions: { threads: 2 } };
    void ok;
    const reg = new Registry().register({
      name: 'typetest-backend',
      priority: 1,
      optionKeys: ['threads', 'mode'],
      probe: () => true,
      create: () => new HostBackend(),
    });
    const typo = () =>
      // @ts-expect-error 'thread' is not an option of typetest-backend (TypeScript catches the typo)
      createContext({ backend: 'typetest-backend', registry: reg, backendOptions: { thread: 2 } });
    // and the run time does too, for JavaScript callers
    await expect(typo()).rejects.toBeInstanceOf(UnknownOptionError);
    // @ts-expect-error a wrong value type for a declared option
    const bad: ContextOptions<'typetest-backend'> = { backend: 'typetest-backend', backendOptions: { mode: 'slow' } };
    void bad;
    // a plain string name keeps working (options unknown, checked at run time)
    const name: string = 'typetest-backend';
    const c = await createContext({ backend: name, registry: reg, backendOptions: { threads: 1 } });
    expect(c.backendName).toBe('typetest-backend');
    await expect(reg.create('typetest-backend', { mode: 'fast' })).resolves.toBeInstanceOf(HostBackend);
  });
});
