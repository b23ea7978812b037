/**
 * Bad input on every backend (issue 8, part 3): the same invalid calls through a Context give the
 * typed error (class, op, arg) and leave every tensor bitwise unchanged: inputs, outputs passed in
 * (gemm's c), parameters and velocities (a failing sgd leaves w, g and v as they were). No tensor
 * is created by a failing call, and the context still computes correctly afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackendMismatchError,
  DisposedContextError,
  DisposedTensorError,
  ShapeOverflowError,
  UnknownOptionError,
  Tensor,
  ValidationError,
  type Context,
} from '@convkit/core';
import { refConv2d, compare, describeMismatch } from '@convkit/reference';
// type-only: brings each backend's BackendOptionsMap entry into scope for the type checks below
import type { GpujsBackendOptions } from '@convkit/backend-gpujs';
import type { WorkersBackendOptions } from '@convkit/backend-workers';
import type { WasmBackendOptions } from '@convkit/backend-wasm';
import type {} from '@convkit/backend-js';
import { createContext, type BackendOptionsOf } from '@convkit/core';
import { expectTypeOf } from 'vitest';
import { describeLoaded, loadAll } from './backends.js';
import { bitwiseEqual, values } from './values.js';
import { record } from './summary.js';

const loaded = await loadAll(undefined, { optIn: true });
for (const l of loaded) console.log(`[reliability bad input] ${describeLoaded(l)}`);

interface BadCall {
  name: string;
  cls?: new (...a: any[]) => Error;
  op: string;
  arg: string;
  /** substrings the message must contain */
  says?: string[];
  call: (t: Fixture) => Promise<unknown> | unknown;
}

/** Tensors every bad call may touch; all are read before and after each call. */
interface Fixture {
  ctx: Context;
  other: Context;
  x: Tensor; // [2, 3, 5, 5]
  w: Tensor; // [4, 3, 3, 3]
  bias: Tensor; // [4]
  dy: Tensor; // [2, 4, 5, 5]
  a: Tensor; // [3, 4]
  b: Tensor; // [4, 2]
  c: Tensor; // [3, 2]
  p: Tensor; // [6, 5] parameter
  g: Tensor; // [6, 5] gradient
  v: Tensor; // [6, 5] velocity
  pool: Tensor; // [2, 3, 4, 4]
  idx: Tensor; // int32 [2, 3, 2, 2]
  pdy: Tensor; // [2, 3, 2, 2]
  logits: Tensor; // [3, 5]
  labels: Tensor; // int32 [3]
  bigLabel: Tensor; // int32 [3], sample 1 has label 5 = classes
  negLabel: Tensor; // int32 [3], sample 2 has label -1
  poolIdx: Tensor; // int32 [2, 3, 2, 2]: valid indices of pool (kernel 2), except output 1 (its neighbour's position)
  planeIdx: Tensor; // int32 [2, 3, 2, 2]: valid, except output 5 points into plane 0
  dead: Tensor; // [2, 3, 5, 5], disposed
  foreign: Tensor; // [4, 3, 3, 3] on another context
}

const CALLS: BadCall[] = [
  { name: 'channel mismatch', op: 'conv2d', arg: 'w', call: (f) => f.ctx.conv2d(f.x, f.w.reshape([4, 1, 9, 3])) },
  { name: 'groups that do not divide C', op: 'conv2d', arg: 'groups', call: (f) => f.ctx.conv2d(f.x, f.w, { groups: 2 }) },
  { name: 'stride 0', op: 'conv2d', arg: 'stride', call: (f) => f.ctx.conv2d(f.x, f.w, { stride: 0 }) },
  { name: 'dilation 0', op: 'conv2d', arg: 'dilation', call: (f) => f.ctx.conv2d(f.x, f.w, { dilation: [1, 0] }) },
  { name: 'padding of 3 numbers', op: 'conv2d', arg: 'padding', call: (f) => f.ctx.conv2d(f.x, f.w, { padding: [1, 1, 1] as any }) },
  { name: 'negative padding', op: 'conv2d', arg: 'padding', call: (f) => f.ctx.conv2d(f.x, f.w, { padding: [0, 0, -1, 0] }) },
  { name: 'reflect pad >= size', op: 'conv2d', arg: 'padding', call: (f) => f.ctx.conv2d(f.x, f.w, { padding: [5, 0, 0, 0], padMode: 'reflect' }) },
  { name: "kernel larger than the image with 'valid'", op: 'conv2d', arg: 'kernel', call: (f) => f.ctx.conv2d(f.x, f.w, { padding: 'valid', dilation: 3 }) },
  { name: 'bias shape', op: 'conv2d', arg: 'bias', call: (f) => f.ctx.conv2d(f.x, f.w, { bias: f.labels as Tensor }) },
  { name: 'disposed input', cls: DisposedTensorError, op: 'conv2d', arg: 'x', call: (f) => f.ctx.conv2d(f.dead, f.w) },
  { name: "another context's tensor", cls: BackendMismatchError, op: 'conv2d', arg: 'w', says: ['another context'], call: (f) => f.ctx.conv2d(f.x, f.foreign) },
  { name: 'dy shape', op: 'conv2dBackward', arg: 'dy', call: (f) => f.ctx.conv2dBackward(f.x, f.w, f.pdy) },
  { name: 'zero kernel', op: 'im2col', arg: 'kernel', call: (f) => f.ctx.im2col(f.x, { kernel: [0, 3] }) },
  { name: 'cols shape', op: 'col2im', arg: 'cols', call: (f) => f.ctx.col2im(f.dy.reshape([2, 4, 25]), { inputShape: [2, 3, 5, 5], kernel: 3 }) },
  { name: "ceilMode with 'same'", op: 'maxpool2d', arg: 'ceilMode', call: (f) => f.ctx.maxpool2d(f.pool, { kernel: 2, ceilMode: true }) },
  { name: 'indices of dtype float32', op: 'maxpool2dBackward', arg: 'indices', call: (f) => f.ctx.maxpool2dBackward(f.pdy, f.pdy, { kernel: 2, inputShape: [2, 3, 4, 4] }) },
  { name: 'indices shape', op: 'maxpool2dBackward', arg: 'indices', call: (f) => f.ctx.maxpool2dBackward(f.pdy, f.idx.reshape([2, 3, 4, 1]), { kernel: 2, inputShape: [2, 3, 4, 4] }) },
  { name: 'gemm inner mismatch', op: 'gemm', arg: 'b', call: (f) => f.ctx.gemm(f.a, f.a) },
  { name: 'beta without c', op: 'gemm', arg: 'c', call: (f) => f.ctx.gemm(f.a, f.b, { beta: 1 }) },
  { name: 'c of the wrong shape (c untouched)', op: 'gemm', arg: 'c', call: (f) => f.ctx.gemm(f.a, f.b, { c: f.c.reshape([2, 3]), beta: 1 }) },
  { name: 'sgd: g of another shape', op: 'sgd', arg: 'g', call: (f) => f.ctx.sgd(f.p, f.g.reshape([5, 6]), f.v, { lr: 0.1, momentum: 0.9 }) },
  { name: 'sgd: v sharing storage with w', op: 'sgd', arg: 'v', call: (f) => f.ctx.sgd(f.p, f.g, f.p.reshape([6, 5]), { lr: 0.1, momentum: 0.9 }) },
  { name: 'sgd: negative lr', op: 'sgd', arg: 'lr', call: (f) => f.ctx.sgd(f.p, f.g, f.v, { lr: -0.1, momentum: 0.9 }) },
  { name: 'sgd: NaN momentum', op: 'sgd', arg: 'momentum', call: (f) => f.ctx.sgd(f.p, f.g, f.v, { lr: 0.1, momentum: NaN }) },
  { name: 'sgd: disposed velocity', cls: DisposedTensorError, op: 'sgd', arg: 'v', call: (f) => f.ctx.sgd(f.p, f.g, f.dead, { lr: 0.1 }) },
  { name: 'labels of dtype float32', op: 'softmaxCrossEntropy', arg: 'labels', call: (f) => f.ctx.softmaxCrossEntropy(f.logits, f.bias) },
  { name: 'relu of a disposed tensor', cls: DisposedTensorError, op: 'relu', arg: 'x', call: (f) => f.ctx.relu(f.dead) },
  { name: 'zeros of 2^31 elements', cls: ShapeOverflowError, op: 'zeros', arg: 'output', call: (f) => f.ctx.zeros([2, 1024, 1024, 1024]) },
  { name: 'tensor() from a Float64Array', op: 'tensor', arg: 'values', call: (f) => f.ctx.tensor(new Float64Array(4) as any, [2, 2]) },
  { name: 'tensor() with too few values', op: 'tensor', arg: 'values', call: (f) => f.ctx.tensor(new Float32Array(3), [2, 2]) },
  // ---- issue 18 ----
  { name: 'label = classes', op: 'softmaxCrossEntropy', arg: 'labels', says: ['label 5 at sample 1'], call: (f) => f.ctx.softmaxCrossEntropy(f.logits, f.bigLabel) },
  { name: 'negative label', op: 'softmaxCrossEntropy', arg: 'labels', says: ['label -1 at sample 2'], call: (f) => f.ctx.softmaxCrossEntropy(f.logits, f.negLabel) },
  { name: 'backward: label = classes', op: 'softmaxCrossEntropyBackward', arg: 'labels', says: ['label 5 at sample 1'], call: (f) => f.ctx.softmaxCrossEntropyBackward(f.logits, f.bigLabel) },
  { name: 'backward: negative label', op: 'softmaxCrossEntropyBackward', arg: 'labels', says: ['label -1 at sample 2'], call: (f) => f.ctx.softmaxCrossEntropyBackward(f.logits, f.negLabel) },
  { name: 'an index outside its window', op: 'maxpool2dBackward', arg: 'indices', says: ['at output 1 (sample 0, channel 0, y 0, x 1)'], call: (f) => f.ctx.maxpool2dBackward(f.pdy, f.poolIdx, { kernel: 2, inputShape: [2, 3, 4, 4] }) },
  { name: 'an index in another plane', op: 'maxpool2dBackward', arg: 'indices', says: ['at output 5 (sample 0, channel 1, y 0, x 1)'], call: (f) => f.ctx.maxpool2dBackward(f.pdy, f.planeIdx, { kernel: 2, inputShape: [2, 3, 4, 4] }) },
  { name: '{ paddding: 0 }', cls: UnknownOptionError, op: 'conv2d', arg: 'paddding', says: ["did you mean 'padding'?"], call: (f) => f.ctx.conv2d(f.x, f.w, { paddding: 0 } as any) },
  { name: '{ strides: 2 }', cls: UnknownOptionError, op: 'conv2d', arg: 'strides', says: ["did you mean 'stride'?"], call: (f) => f.ctx.conv2d(f.x, f.w, { strides: 2 } as any) },
  { name: 'wants { dX }', cls: UnknownOptionError, op: 'conv2dBackward', arg: 'wants.dX', says: ["did you mean 'dx'?"], call: (f) => f.ctx.conv2dBackward(f.x, f.w, f.dy, { wants: { dX: false } } as any) },
  { name: '{ transb }', cls: UnknownOptionError, op: 'gemm', arg: 'transb', says: ["did you mean 'transB'?"], call: (f) => f.ctx.gemm(f.a, f.b, { transb: true } as any) },
  { name: '{ strides }', cls: UnknownOptionError, op: 'maxpool2d', arg: 'strides', call: (f) => f.ctx.maxpool2d(f.pool, { kernel: 2, strides: 1 } as any) },
  { name: '{ inputshape }', cls: UnknownOptionError, op: 'maxpool2dBackward', arg: 'inputshape', call: (f) => f.ctx.maxpool2dBackward(f.pdy, f.idx, { kernel: 2, inputShape: [2, 3, 4, 4], inputshape: [1] } as any) },
  { name: 'sgd { momentm } (w, g, v untouched)', cls: UnknownOptionError, op: 'sgd', arg: 'momentm', call: (f) => f.ctx.sgd(f.p, f.g, f.v, { lr: 0.1, momentm: 0.9 } as any) },
  { name: "tensor([1, 'a', 3, 4])", op: 'tensor', arg: 'values', says: ['"a" at index 1'], call: (f) => f.ctx.tensor([1, 'a', 3, 4] as any, [2, 2]) },
  { name: 'a NaN size prints as NaN', op: 'tensor', arg: 'shape', says: ['received [NaN,3,8,8]'], call: (f) => f.ctx.tensor(new Float32Array(192), [NaN, 3, 8, 8]) },
  { name: 'stride [1] prints as [1]', op: 'conv2d', arg: 'stride', says: ['received [1]'], call: (f) => f.ctx.conv2d(f.x, f.w, { stride: [1] as any }) },
  { name: 'an empty batch (N = 0)', op: 'tensor', arg: 'shape', says: ['empty batch N = 0', 'not supported'], call: (f) => f.ctx.tensor(new Float32Array(0), [0, 3, 5, 5]) },
  { name: 'zeros() of an empty batch', op: 'zeros', arg: 'shape', says: ['not supported'], call: (f) => f.ctx.zeros([0, 3, 5, 5]) },
];

/** Valid maxpool indices of pool [2, 3, 4, 4] with kernel 2 / stride 2: the bottom-right of each window. */
function validPoolIndices(): Int32Array {
  const out: number[] = [];
  for (let pl = 0; pl < 6; pl++) for (let oy = 0; oy < 2; oy++) for (let ox = 0; ox < 2; ox++) out.push(pl * 16 + (2 * oy + 1) * 4 + 2 * ox + 1);
  return Int32Array.from(out);
}

for (const l of loaded) {
  const t = l.target;
  if (l.skip) {
    describe(`bad input ${t.id}`, () => it.skip(`skipped: ${l.skip}`, () => {}));
    record({ kind: 'skip', target: t.id, reason: l.skip, suite: 'badinput' });
    continue;
  }
  describe(`bad input ${t.id}: ${CALLS.length} invalid calls, typed errors, nothing changed`, () => {
    let f: Fixture;
    let failures = 0;
    beforeAll(async () => {
      const ctx = await l.make!();
      const other = await l.make!();
      const T = (shape: number[], seed: number) => ctx.tensor(values(shape.reduce((a, b) => a * b, 1), seed), shape);
      const dead = T([2, 3, 5, 5], 99);
      dead.dispose();
      f = {
        ctx,
        other,
        x: T([2, 3, 5, 5], 1),
        w: T([4, 3, 3, 3], 2),
        bias: T([4], 3),
        dy: T([2, 4, 5, 5], 4),
        a: T([3, 4], 5),
        b: T([4, 2], 6),
        c: T([3, 2], 7),
        p: T([6, 5], 8),
        g: T([6, 5], 9),
        v: T([6, 5], 10),
        pool: T([2, 3, 4, 4], 11),
        idx: ctx.tensor(Int32Array.from({ length: 24 }, (_, i) => i * 4), [2, 3, 2, 2]),
        pdy: T([2, 3, 2, 2], 12),
        logits: T([3, 5], 13),
        labels: ctx.tensor(Int32Array.from([0, 4, 2]), [3]),
        bigLabel: ctx.tensor(Int32Array.from([0, 5, 2]), [3]),
        negLabel: ctx.tensor(Int32Array.from([0, 4, -1]), [3]),
        poolIdx: ctx.tensor(validPoolIndices().map((v, o) => (o === 1 ? v - 2 : v)), [2, 3, 2, 2]),
        planeIdx: ctx.tensor(validPoolIndices().map((v, o) => (o === 5 ? v - 16 : v)), [2, 3, 2, 2]),
        dead,
        foreign: other.tensor(values(108, 14), [4, 3, 3, 3]),
      };
    });
    afterAll(async () => {
      record({ kind: 'badinput', target: t.id, calls: CALLS.length, failures });
      await f?.ctx.dispose();
      await f?.other.dispose();
    });

    const snapshot = async () => {
      const out = new Map<string, Float32Array | Int32Array>();
      for (const [k, v] of Object.entries(f)) {
        if (k === 'ctx' || k === 'other' || k === 'dead') continue;
        out.set(k, await (v as Tensor).read());
      }
      return out;
    };

    for (const bc of CALLS) {
      it(`${bc.op} ${bc.name}: ${bc.cls?.name ?? 'ValidationError'} on '${bc.arg}', tensors bitwise unchanged`, async () => {
        let ok = false;
        try {
          const before = await snapshot();
          const live = f.ctx.memory().tensors;
          const ids = f.ctx.memory().backend.dataIds;
          let err: unknown;
          try {
            const r = await bc.call(f);
            // should not get here; free what a wrongly successful call made (only its tensors: a
            // Tensor's own fields include its backend, whose dispose() would end the whole context)
            const made = r instanceof Tensor ? [r] : Object.values((r ?? {}) as object).filter((v) => v instanceof Tensor);
            for (const v of made) (v as Tensor).dispose();
          } catch (e) {
            err = e;
          }
          expect(err, 'the call should throw').toBeInstanceOf(bc.cls ?? ValidationError);
          expect(err).toBeInstanceOf(ValidationError);
          expect((err as ValidationError).op).toBe(bc.op);
          expect((err as ValidationError).arg).toBe(bc.arg);
          for (const text of bc.says ?? []) expect((err as Error).message).toContain(text);
          const after = await snapshot();
          for (const [k, v] of before) expect(bitwiseEqual(v, after.get(k)!), `${k} changed`).toBe(true);
          // reshape() views made by the call itself are the only tensors allowed to be new
          const views = f.ctx.memory().tensors - live;
          expect(views).toBeGreaterThanOrEqual(0);
          expect(f.ctx.memory().backend.dataIds, 'backend storage count').toBe(ids);
          ok = true;
        } finally {
          if (!ok) failures++;
        }
      });
    }

    it('the valid pool indices the bad ones are made from do run (the check is not too strict)', async () => {
      const idx = f.ctx.tensor(validPoolIndices(), [2, 3, 2, 2]);
      const dx = await f.ctx.maxpool2dBackward(f.pdy, idx, { kernel: 2, inputShape: [2, 3, 4, 4] });
      const d = await dx.read();
      const dyv = await f.pdy.read();
      const want = new Float32Array(96);
      validPoolIndices().forEach((i, o) => (want[i] = dyv[o]!));
      expect(bitwiseEqual(d, want)).toBe(true);
      // and indices maxpool2d itself returned
      const { y, indices } = await f.ctx.maxpool2d(f.pool, { kernel: 2 });
      const dx2 = await f.ctx.maxpool2dBackward(f.pdy, indices, { kernel: 2, inputShape: [2, 3, 4, 4] });
      for (const t of [idx, dx, y, indices, dx2]) t.dispose();
    });

    it("backendOptions with an unknown key ({ mdoe }, { wokers }) are refused, naming the nearest valid key", async () => {
      for (const key of ['mdoe', 'wokers']) {
        const err = await l.make!({ [key]: 1 }).catch((e: unknown) => e);
        expect(err, key).toBeInstanceOf(UnknownOptionError);
        const u = err as UnknownOptionError;
        expect(u.arg).toBe(`backendOptions.${key}`);
        expect(u.key).toBe(key);
        if (u.known.length > 0) expect(u.known).toContain(u.suggestion);
        else expect(u.message).toContain('expected no options');
      }
      if (t.backend === 'gpujs') {
        const err = (await l.make!({ mdoe: 'webasm' }).catch((e: unknown) => e)) as UnknownOptionError;
        expect(err.suggestion).toBe('mode');
      }
      if (t.backend === 'workers') {
        const err = (await l.make!({ wokers: 1 }).catch((e: unknown) => e)) as UnknownOptionError;
        expect(err.suggestion).toBe('workers');
      }
    });

    it('a disposed context refuses tensor(), zeros() and ops with DisposedContextError', async () => {
      const c = await l.make!();
      const x = c.tensor(new Float32Array(4), [2, 2]);
      await c.dispose();
      for (const [op, call] of [
        ['tensor', () => c.tensor(new Float32Array(4), [2, 2])],
        ['zeros', () => c.zeros([2, 2])],
        ['relu', () => c.relu(x)],
      ] as const) {
        const err = await (async () => call())().catch((e: unknown) => e);
        expect(err, op).toBeInstanceOf(DisposedContextError);
        expect((err as DisposedContextError).op).toBe(op);
      }
    });

    it('the context still computes correctly after every failed call', async () => {
      const y = await f.ctx.conv2d(f.x, f.w, { bias: f.bias, padMode: 'reflect' });
      const xs = { data: await f.x.read(), shape: [2, 3, 5, 5] };
      const ws = { data: await f.w.read(), shape: [4, 3, 3, 3] };
      const bs = { data: await f.bias.read(), shape: [4] };
      const ref = refConv2d(xs, ws, bs, { padMode: 'reflect' });
      const r = compare(await y.read(), ref.data, f.ctx.backend.precision);
      expect(r.ok, describeMismatch(r, f.ctx.backend.precision)).toBe(true);
      y.dispose();
    });
  });
}

describe('backend options are typed per backend name (checked by `pnpm --filter @convkit/reliability lint`)', () => {
  it('each backend package declares its options; a misspelt key is a compile error', () => {
    expectTypeOf<BackendOptionsOf<'gpujs'>>().toEqualTypeOf<GpujsBackendOptions>();
    expectTypeOf<BackendOptionsOf<'workers'>>().toEqualTypeOf<WorkersBackendOptions>();
    expectTypeOf<BackendOptionsOf<'wasm'>>().toEqualTypeOf<WasmBackendOptions>();
    const typos = () => [
      // @ts-expect-error mdoe is not a gpujs option
      createContext({ backend: 'gpujs', backendOptions: { mdoe: 'webasm' } }),
      // @ts-expect-error wokers is not a workers option
      createContext({ backend: 'workers', backendOptions: { wokers: 1 } }),
      // @ts-expect-error the js backend takes no options
      createContext({ backend: 'js', backendOptions: { workers: 1 } }),
      // @ts-expect-error a mode gpu.js does not have
      createContext({ backend: 'gpujs', backendOptions: { mode: 'cuda' } }),
    ];
    expectTypeOf(typos).toBeFunction();
  });
});
