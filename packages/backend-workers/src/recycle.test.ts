/**
 * Per-op overhead cuts, checked for correctness (never for speed):
 * - freed SharedArrayBuffers are recycled (same buffer id, not re-sent to the workers) for
 *   outputs every element of which an op writes, and for uploads; stale values in a recycled
 *   buffer never leak into results (float64 reference), with the wasm and the js kernels;
 * - a buffer an op in flight still uses is not recycled when its tensor is disposed meanwhile;
 * - a buffer is only reused for the same dtype (a worker views it with its first dtype);
 * - Storage bookkeeping (unit level) and the task-count policy of WorkersRuntime.parts;
 * - the diagnostics hook `pool.profile` (scripts/profile.mjs).
 */
import { describe, expect, it } from 'vitest';
import type { Context, Tensor } from '@convkit/core';
import {
  refCol2im,
  refConv2d,
  refConv2dBackward,
  refGemm,
  refIm2col,
  refMaxpool2d,
  refMaxpool2dBackward,
  refRelu,
  refReluBackward,
  refSgd,
  refSoftmaxCrossEntropy,
  refSoftmaxCrossEntropyBackward,
} from '@convkit/reference';
import { SPLIT_FACTOR, WorkersRuntime } from './runtime.js';
import { RECYCLE_MAX_BUFFERS, RECYCLE_MAX_BYTES, Storage, type Rec } from './storage.js';
import { backendOf, expectClose, poolOf, rand, sizeOf, workerPool, workersContext } from './testing/helpers.js';

const XS = [2, 4, 12, 12];
const WS = [6, 4, 3, 3];
const xd = rand(sizeOf(XS), 71);
const wd = rand(sizeOf(WS), 72);
const bd = rand(6, 73);
const bd2 = rand(6, 74);
const ref = refConv2d({ data: xd, shape: XS }, { data: wd, shape: WS }, { data: bd, shape: [6] }, { padding: 'same' });
const ref2 = refConv2d({ data: xd, shape: XS }, { data: wd, shape: WS }, { data: bd2, shape: [6] }, { padding: 'same' });
const Y = sizeOf(ref.shape);

/** Buffer ids of the stale buffers `poison` left for the next ops' outputs. */
const stale = new Set<number>();

/**
 * `copies` tensors of n stale values each (NaN, or -7 for int32), disposed at once: their buffers are
 * then the first ones recycled for the next outputs of that size and dtype.
 */
function poison(ctx: Context, n: number, copies = 1, dtype: 'float32' | 'int32' = 'float32'): void {
  const ts = Array.from({ length: copies }, () =>
    dtype === 'int32' ? ctx.tensor(new Int32Array(n).fill(-7), [n]) : ctx.tensor(new Float32Array(n).fill(Number.NaN), [n]),
  );
  for (const t of ts) {
    stale.add((t.dataId as unknown as Rec).bufId);
    t.dispose();
  }
}

/** Whether the op wrote `t` into one of the stale buffers (so its check tested recycling). */
const inStaleBuffer = (t: Tensor): boolean => stale.has((t.dataId as unknown as Rec).bufId);

/** The output matches the float64 reference and was written into one of the stale buffers. */
async function expectRecycledClose(t: Tensor | undefined, r: { data: ArrayLike<number>; shape: readonly number[] }, what: string): Promise<void> {
  await expectClose(t, r, undefined, what);
  expect(inStaleBuffer(t!), `${what}: output is a recycled buffer`).toBe(true);
}

describe('recycled output buffers (workers)', () => {
  for (const kernels of ['auto', 'js'] as const) {
    it(`conv2d reuses a freed buffer, not re-sent, stale values never leak (kernels '${kernels}')`, async () => {
      const ctx = await workersContext({ workers: 2, minTaskWork: 1, kernels });
      const be = backendOf(ctx);
      const x = ctx.tensor(xd, XS);
      const w = ctx.tensor(wd, WS);
      const b = ctx.tensor(bd, [6]);
      const b2 = ctx.tensor(bd2, [6]);
      const y1 = await ctx.conv2d(x, w, { bias: b, padding: 'same' });
      await expectClose(y1, ref, undefined, 'first op');
      const id1 = (y1.dataId as unknown as Rec).bufId;
      y1.dispose();
      const shared = workerPool(be).stats.buffersShared;
      // the output lands in y1's buffer (stale values of the first op): same id
      const y2 = await ctx.conv2d(x, w, { bias: b2, padding: 'same' });
      expect((y2.dataId as unknown as Rec).bufId).toBe(id1);
      // only the new bias goes to the two workers; the output buffer is not re-sent
      expect(workerPool(be).stats.buffersShared).toBe(shared + 2);
      await expectClose(y2, ref2, undefined, 'recycled output');
      y2.dispose();
      // a buffer full of NaN: every element must be overwritten (wasm and js paths)
      poison(ctx, Y);
      await expectClose(await ctx.conv2d(x, w, { bias: b, padding: 'same' }), ref, undefined, 'NaN-poisoned output');
      await ctx.dispose();
    });
  }

  for (const kernels of ['auto', 'js'] as const) {
    it(`every op overwrites stale values in recycled output buffers (kernels '${kernels}')`, async () => {
      const ctx = await workersContext({ workers: 2, minTaskWork: 1, kernels });
      const be = backendOf(ctx);
      const T = (d: ArrayLike<number>, shape: number[]) => ({ data: d, shape });
      const inputShape = XS as [number, number, number, number];
      const x = ctx.tensor(xd, XS);
      const w = ctx.tensor(wd, WS);
      const dyd = rand(Y, 81);
      const dy = ctx.tensor(dyd, ref.shape as number[]);

      // conv2d backward: dx, dW and db have three different sizes, so each takes its own stale buffer
      poison(ctx, xd.length);
      poison(ctx, wd.length);
      poison(ctx, 6);
      const g = await ctx.conv2dBackward(x, w, dy, { padding: 'same' });
      const rg = refConv2dBackward(T(xd, XS), T(wd, WS), T(dyd, ref.shape as number[]), { padding: 'same' });
      await expectRecycledClose(g.dx, rg.dx, 'conv2dBackward dx');
      await expectRecycledClose(g.dw, rg.dw, 'conv2dBackward dw');
      await expectRecycledClose(g.db, rg.db, 'conv2dBackward db');
      for (const t of [g.dx, g.dw, g.db]) t!.dispose();

      // im2col (reflect padding) and its adjoint col2im
      const io = { kernel: [3, 3] as [number, number], padding: 'same' as const, padMode: 'reflect' as const };
      const rc = refIm2col(T(xd, XS), io);
      poison(ctx, rc.data.length);
      const cols = await ctx.im2col(x, io);
      await expectRecycledClose(cols, rc, 'im2col');
      poison(ctx, xd.length);
      const back = await ctx.col2im(cols, { ...io, inputShape });
      await expectRecycledClose(back, refCol2im(T(await cols.read(), rc.shape as number[]), { ...io, inputShape }), 'col2im');
      cols.dispose();
      back.dispose();

      // maxpool forward (values and int32 indices) and backward
      const po = { kernel: 2 as const, stride: 2 as const };
      const rp = refMaxpool2d(T(xd, XS), po);
      const L = rp.y.data.length;
      poison(ctx, L);
      poison(ctx, L, 1, 'int32');
      const mp = await ctx.maxpool2d(x, po);
      await expectRecycledClose(mp.y, rp.y, 'maxpool2d y');
      expect([...(await mp.indices.read())]).toEqual([...rp.indices.data]);
      expect(inStaleBuffer(mp.indices), 'maxpool2d indices: output is a recycled buffer').toBe(true);
      const dpd = rand(L, 82);
      const dp = ctx.tensor(dpd, rp.y.shape as number[]);
      poison(ctx, xd.length);
      const mdx = await ctx.maxpool2dBackward(dp, mp.indices, { ...po, inputShape });
      await expectRecycledClose(mdx, refMaxpool2dBackward(T(dpd, rp.y.shape as number[]), { data: rp.indices.data, shape: rp.indices.shape }, XS), 'maxpool2dBackward');
      for (const t of [mp.y, mp.indices, dp, mdx]) t.dispose();

      // gemm with beta * c and a bias (out must not read its stale buffer)
      const [m, k, n] = [20, 7, 12];
      const ad = rand(m * k, 83);
      const bd3 = rand(k * n, 84);
      const cd = rand(m * n, 85);
      const biasd = rand(n, 86);
      const [a, b, c, bias] = [ctx.tensor(ad, [m, k]), ctx.tensor(bd3, [k, n]), ctx.tensor(cd, [m, n]), ctx.tensor(biasd, [n])];
      poison(ctx, m * n);
      const go = { alpha: 0.5, beta: 2 };
      const out = await ctx.gemm(a, b, { ...go, c, bias });
      await expectRecycledClose(out, refGemm(T(ad, [m, k]), T(bd3, [k, n]), { ...go, c: T(cd, [m, n]), bias: T(biasd, [n]) }), 'gemm');
      for (const t of [a, b, c, bias, out]) t.dispose();

      // relu, reluBackward
      poison(ctx, xd.length);
      const r = await ctx.relu(x);
      await expectRecycledClose(r, refRelu(T(xd, XS)), 'relu');
      const gxd = rand(xd.length, 87);
      const gx = ctx.tensor(gxd, XS);
      poison(ctx, xd.length);
      const rb = await ctx.reluBackward(x, gx);
      await expectRecycledClose(rb, refReluBackward(T(xd, XS), T(gxd, XS)), 'reluBackward');
      r.dispose();
      rb.dispose();

      // sgd: the step lands in two fresh (here: stale) buffers that are swapped in
      const vd = rand(xd.length, 88);
      const wv = ctx.tensor(xd, XS);
      const vv = ctx.tensor(vd, XS);
      poison(ctx, xd.length, 2);
      const so = { lr: 0.1, momentum: 0.9, weightDecay: 0.01 };
      await ctx.sgd(wv, gx, vv, so);
      const rs = refSgd(T(xd, XS), T(gxd, XS), T(vd, XS), so);
      await expectRecycledClose(wv, rs.w, 'sgd w');
      await expectRecycledClose(vv, rs.v, 'sgd v');
      for (const t of [wv, vv, gx]) t.dispose();

      // softmax cross-entropy and its backward
      const [rows, classes] = [33, 5];
      const ld = rand(rows * classes, 89);
      const labd = Int32Array.from({ length: rows }, (_, i) => (i * 3) % classes);
      const logits = ctx.tensor(ld, [rows, classes]);
      const labels = ctx.tensor(labd, [rows]);
      poison(ctx, rows * classes);
      const sm = await ctx.softmaxCrossEntropy(logits, labels);
      const rsm = refSoftmaxCrossEntropy(T(ld, [rows, classes]), labd);
      await expectRecycledClose(sm.probs, rsm.probs, 'softmax probs');
      await expectClose(sm.loss, rsm.loss, undefined, 'softmax loss');
      poison(ctx, rows * classes);
      const dl = await ctx.softmaxCrossEntropyBackward(sm.probs, labels);
      await expectRecycledClose(dl, refSoftmaxCrossEntropyBackward(T(await sm.probs.read(), [rows, classes]), labd), 'softmax backward');
      for (const t of [logits, labels, sm.probs, sm.loss, dl]) t.dispose();

      // minTaskWork 1: the 12 ops above ran as more than two tasks each on average, over both workers
      expect(workerPool(be).stats.tasks).toBeGreaterThan(2 * 12);
      for (const t of [x, w, dy]) t.dispose();
      await ctx.dispose();
    });
  }

  it('row tiles that see only padding (js fallback in the worker) overwrite a stale buffer', async () => {
    // batch 1, padding 5 on a 3x3 image with a 3x3 filter: the top and bottom output rows read
    // only padding, so their tiles run the js kernel (bias only)
    const xs = [1, 2, 3, 3];
    const ws = [3, 2, 3, 3];
    const x0 = rand(sizeOf(xs), 75);
    const w0 = rand(sizeOf(ws), 76);
    const b0 = rand(3, 77);
    const r = refConv2d({ data: x0, shape: xs }, { data: w0, shape: ws }, { data: b0, shape: [3] }, { padding: 5 });
    const ctx = await workersContext({ workers: 2, minTaskWork: 1, tasksPerWorker: 4 });
    const be = backendOf(ctx);
    const x = ctx.tensor(x0, xs);
    const w = ctx.tensor(w0, ws);
    const b = ctx.tensor(b0, [3]);
    poison(ctx, sizeOf(r.shape));
    await expectClose(await ctx.conv2d(x, w, { bias: b, padding: 5 }), r, undefined, 'padding-only rows');
    expect(workerPool(be).kernelRuns.conv2d!.js).toBeGreaterThan(0);
    expect(workerPool(be).kernelRuns.conv2d!.wasm).toBeGreaterThan(0);
    await ctx.dispose();
  });

  it('a tensor disposed while an op reads it is not recycled before the op ends', async () => {
    const ctx = await workersContext({ workers: 2, minTaskWork: 1 });
    const be = backendOf(ctx);
    const x = ctx.tensor(xd, XS);
    const w = ctx.tensor(wd, WS);
    const b = ctx.tensor(bd, [6]);
    workerPool(be).injectFault(1, 'slow'); // worker 1 reads x 0.4 s late
    const pending = ctx.conv2d(x, w, { bias: b, padding: 'same' });
    await new Promise((r) => setTimeout(r, 20)); // the op is in flight
    const xid = (x.dataId as unknown as Rec).bufId;
    x.dispose();
    // an upload of the same size meanwhile: must not land in x's buffer
    const other = ctx.tensor(new Float32Array(xd.length).fill(Number.NaN), XS);
    expect((other.dataId as unknown as Rec).bufId).not.toBe(xid);
    await expectClose(await pending, ref, undefined, 'input disposed mid-op');
    await ctx.dispose();
  });

  it('a freed int32 buffer is not reused for float32 (the workers view it as int32)', async () => {
    const ctx = await workersContext({ workers: 2, minTaskWork: 1 });
    const n = 64;
    // int32 labels (n values = n * 4 bytes) reach the workers through softmaxCrossEntropy
    const logits = ctx.tensor(rand(n * 3, 79), [n, 3]);
    const labels = ctx.tensor(Int32Array.from({ length: n }, (_, i) => i % 3), [n]);
    await (await ctx.softmaxCrossEntropy(logits, labels)).loss.read();
    const lid = (labels.dataId as unknown as Rec).bufId;
    labels.dispose();
    const f = rand(n, 80);
    const t = ctx.tensor(f, [n]);
    expect((t.dataId as unknown as Rec).bufId).not.toBe(lid);
    await expectClose(await ctx.relu(t), refRelu({ data: f, shape: [n] }), undefined, 'float after int32');
    await ctx.dispose();
  });
});

describe('Storage recycling (unit)', () => {
  it('keeps freed shared buffers for reuse by size and dtype, tells the workers only on eviction', () => {
    const s = new Storage(true);
    const freed: number[] = [];
    s.onFree = (ids) => freed.push(...ids);
    const a = s.alloc(100, 'float32');
    const { bufId, buf } = a;
    s.free(a);
    expect(freed).toEqual([]);
    expect(s.recycledBytes).toBe(400);
    expect(s.bytes).toBe(0);
    expect(s.count).toBe(0);
    // another size or dtype, or a zero-filled alloc: fresh buffer
    expect(s.allocUninit(101, 'float32').bufId).not.toBe(bufId);
    expect(s.allocUninit(100, 'int32').bufId).not.toBe(bufId);
    const z = s.alloc(100, 'float32');
    expect(z.bufId).not.toBe(bufId);
    expect([...z.view].every((v) => v === 0)).toBe(true);
    const b = s.allocUninit(100, 'float32');
    expect(b.bufId).toBe(bufId);
    expect(b.buf).toBe(buf);
    expect(s.recycledBytes).toBe(0);
    // busy buffers (an op in flight) are freed for real
    b.busy = 1;
    s.free(b);
    expect(freed).toEqual([bufId]);
    // clear() hands every id, recycled ones included, to the workers
    const c = s.alloc(8, 'float32');
    s.free(c);
    freed.length = 0;
    s.clear();
    expect(freed).toContain(c.bufId);
    expect(s.recycledBytes).toBe(0);
  });

  it('bounds the recycled buffers (count and bytes), evicting the oldest', () => {
    const s = new Storage(true);
    const freed: number[] = [];
    s.onFree = (ids) => freed.push(...ids);
    const recs = Array.from({ length: RECYCLE_MAX_BUFFERS + 3 }, () => s.alloc(4, 'float32'));
    for (const r of recs) s.free(r);
    expect(freed).toEqual(recs.slice(0, 3).map((r) => r.bufId));
    expect(s.recycledBytes).toBe(RECYCLE_MAX_BUFFERS * 16);
    const big = s.alloc(RECYCLE_MAX_BYTES / 4 + 16, 'float32'); // larger than the cap: never kept
    s.free(big);
    expect(freed).toContain(big.bufId);
    expect(s.recycledBytes).toBeLessThanOrEqual(RECYCLE_MAX_BYTES);
  });

  it('does not recycle in copy mode (ordinary ArrayBuffers)', () => {
    const s = new Storage(false);
    const freed: number[] = [];
    s.onFree = (ids) => freed.push(...ids);
    const a = s.alloc(10, 'float32');
    s.free(a);
    expect(freed).toEqual([a.bufId]);
    expect(s.allocUninit(10, 'float32').bufId).not.toBe(a.bufId);
  });
});

describe('task count (WorkersRuntime.parts)', () => {
  // a runtime whose pool never starts a worker (parts only reads its size)
  const host = (size: number, minTaskWork = 65536, tpw = 4) =>
    new WorkersRuntime({ workers: size, minTaskWork, tasksPerWorker: tpw, kernels: 'js' });
  it('one task per worker unless each of several per worker is still big', () => {
    const h = host(2);
    const big = 2 * 65536 * SPLIT_FACTOR; // one split-size task per worker
    expect(h.parts(100)).toBe(1);
    expect(h.parts(3 * 65536, 1)).toBe(2);
    expect(h.parts(big - 1)).toBe(2); // workload B size class: one task per worker
    expect(h.parts(2 * big)).toBe(4);
    expect(h.parts(3 * big)).toBe(6);
    expect(h.parts(100 * big)).toBe(8); // capped at tasksPerWorker
    expect(h.parts(100 * big, 1)).toBe(2);
    expect(host(3, 1, 4).parts(1000)).toBe(12); // minTaskWork 1: the finest split
  });
});

describe('pool.profile (diagnostics)', () => {
  it('records one timeline per task, in order within each thread', async () => {
    const ctx = await workersContext({ workers: 2, minTaskWork: 1 });
    const pool = poolOf(ctx);
    const x = ctx.tensor(xd, XS);
    const w = ctx.tensor(wd, WS);
    const b = ctx.tensor(bd, [6]);
    pool.profile = [];
    const tasks = pool.stats.tasks;
    await expectClose(await ctx.conv2d(x, w, { bias: b, padding: 'same' }), ref);
    const prof = pool.profile;
    pool.profile = null;
    expect(prof.length).toBe(pool.stats.tasks - tasks);
    for (const p of prof) {
      expect(p.op).toBe('conv2d');
      expect(p.via).toBe('wasm');
      // received, args, copy-in done, kernel done, copy-out done, answered
      expect(p.tm.length).toBe(6);
      for (let i = 1; i < p.tm.length; i++) expect(p.tm[i]!).toBeGreaterThanOrEqual(p.tm[i - 1]!);
      expect(p.back).toBeGreaterThanOrEqual(p.post);
    }
    // off again: the worker adds no timestamps, nothing is recorded
    const n = prof.length;
    await (await ctx.conv2d(x, w, { bias: b, padding: 'same' })).read();
    expect(prof.length).toBe(n);
    await ctx.dispose();
  });
});
