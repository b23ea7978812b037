/**
 * The uwnet course golden data (../shared/golden/uwnet, FORMAT.md) through the workers backend.
 * Skipped, with the reason printed, when the data directory is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '@convkit/core';
import { compare, describeMismatch, findUwnetDir, loadUwnet, type Tolerance, type UwMatrix } from '@convkit/reference';
import { workersContext } from './testing/helpers.js';

const dir = findUwnetDir();
if (!dir) console.warn('golden.test.ts: SKIPPED — uwnet golden data not found (../shared/golden/uwnet; set CONVKIT_SHARED)');

// The golden files are float32 results of the course's C code (other summation order); the
// course harness compares with |a - b| < 0.005. We ask for 20x tighter.
const TOL: Tolerance = { atol: 2.5e-4, rtol: 1e-4 };

function m(name: string): UwMatrix {
  const r = loadUwnet(name);
  if (!r) throw new Error(`golden file ${name}.matrix missing from ${dir}`);
  return r;
}

async function check(t: { read(): Promise<ArrayLike<number>> }, expected: ArrayLike<number>, what: string) {
  const got = await t.read();
  const r = compare(got, expected, TOL);
  expect(r.ok, `${what}: ${describeMismatch(r, TOL)}`).toBe(true);
}

describe.skipIf(!dir)('uwnet golden data on the workers backend', () => {
  let ctx: Context;
  beforeAll(async () => {
    ctx = await workersContext({ workers: 2 });
  });
  afterAll(async () => {
    await ctx.dispose();
  });

  it('im2col and col2im of dog.jpg (size 3 and 2, stride 2)', async () => {
    const dog = ctx.tensor(m('dog_chw').data, [1, 3, 48, 64]);
    const c3 = await ctx.im2col(dog, { kernel: 3, stride: 2 });
    expect([...c3.shape]).toEqual([1, 27, 768]);
    await check(c3, m('im2col').data, 'im2col size 3');
    const c2 = await ctx.im2col(dog, { kernel: 2, stride: 2 });
    await check(c2, m('im2col2').data, 'im2col size 2');
    const d3 = await ctx.col2im(ctx.tensor(m('dcol').data, [1, 27, 768]), { kernel: 3, stride: 2, inputShape: [1, 3, 48, 64] });
    await check(d3, m('col2mat').data, 'col2im size 3');
    const d2 = await ctx.col2im(ctx.tensor(m('dcol2').data, [1, 12, 768]), { kernel: 2, stride: 2, inputShape: [1, 3, 48, 64] });
    await check(d2, m('col2mat2').data, 'col2im size 2');
  });

  it('convolution forward (10 x 16 x 32 x 64, 8 filters 3x3)', async () => {
    const x = ctx.tensor(m('conv_x').data, [10, 16, 32, 64]);
    const w = ctx.tensor(m('conv_w').data, [8, 16, 3, 3]);
    const b = ctx.tensor(m('conv_b').data, [8]);
    await check(await ctx.conv2d(x, w, { bias: b }), m('conv_y').data, 'conv_y');
  });

  it.each([
    ['2', 2],
    ['3', 3],
  ] as const)('max pooling size %s stride 2, forward and backward', async (_s, k) => {
    const sfx = k === 2 ? '' : '3';
    const x = ctx.tensor(m('max_x').data, [10, 16, 32, 64]);
    const { y, indices } = await ctx.maxpool2d(x, { kernel: k, stride: 2 });
    await check(y, m(`max_y${sfx}`).data, 'max_y');
    const dy = ctx.tensor(m(`max_dy${sfx}`).data, [10, 16, 16, 32]);
    const dx = await ctx.maxpool2dBackward(dy, indices, { kernel: k, stride: 2, inputShape: [10, 16, 32, 64] });
    await check(dx, m(`max_dx${sfx}`).data, 'max_dx');
  });

  it('connected layer forward, backward and the SGD update', async () => {
    const x = ctx.tensor(m('a').data, [32, 64]);
    const w = ctx.tensor(m('b').data, [64, 16]);
    const bias = ctx.tensor(m('bias').data, [16]);
    await check(await ctx.dense(x, w, bias), m('out').data, 'out');
    const dy = ctx.tensor(m('dy').data, [32, 16]);
    await check(await ctx.gemm(dy, w, { transB: true }), m('truth_dx').data, 'truth_dx');
    // accumulators: dw + x^T dy, db + column sums of dy
    const dw = await ctx.gemm(x, dy, { transA: true, c: ctx.tensor(m('dw').data, [64, 16]), beta: 1 });
    await check(dw, m('truth_dw').data, 'truth_dw');
    const ones = ctx.tensor(new Float32Array(32).fill(1), [1, 32]);
    const db = await ctx.gemm(ones, dy, { c: ctx.tensor(m('db').data, [1, 16]), beta: 1 });
    await check(db, m('truth_db').data, 'truth_db');
    // update with rate 1, decay 0.5 on weights (0 on biases); the accumulator already holds the
    // momentum term, so the step is v = 0*v + dw + 0.5 w, w -= v, and the course keeps 0.9 v
    const v = ctx.zeros([64, 16]);
    await ctx.sgd(w, dw, v, { lr: 1, momentum: 0, weightDecay: 0.5 });
    await check(w, m('updated_w').data, 'updated_w');
    const v09 = Float32Array.from(await v.read(), (q) => 0.9 * q);
    await check({ read: async () => v09 }, m('updated_dw').data, 'updated_dw');
    const vb = ctx.zeros([16]);
    await ctx.sgd(bias, db.reshape([16]), vb, { lr: 1 });
    await check(bias, m('updated_b').data, 'updated_b');
    const vb09 = Float32Array.from(await vb.read(), (q) => 0.9 * q);
    await check({ read: async () => vb09 }, m('updated_db').data, 'updated_db');
  });
});
