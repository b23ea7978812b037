/**
 * Runner-agnostic cases (every op against @convkit/reference) used by the browser test page.
 * Each returns a failure description, or '' when it passes.
 */
import type { Context, Tensor } from '@convkit/core';
import * as R from '@convkit/reference';

const TOL = { atol: 1e-4, rtol: 1e-4 };

function rand(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = (a / 4294967296) * 2 - 1;
  }
  return out;
}
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

async function cmp(t: Tensor | undefined, r: { data: ArrayLike<number>; shape: readonly number[] }, what: string): Promise<string> {
  if (!t) return `${what}: missing`;
  if (t.shape.join() !== r.shape.join()) return `${what}: shape [${t.shape}] vs [${r.shape}]`;
  const c = R.compare(await t.read(), r.data, TOL);
  return c.ok ? '' : `${what}: ${R.describeMismatch(c, TOL)}`;
}

export type Case = [string, (ctx: Context) => Promise<string>];

function convCase(name: string, xs: number[], ws: number[], o: R.ConvOptions): Case {
  return [
    `conv2d fwd+bwd ${name}`,
    async (ctx) => {
      const xd = rand(size(xs), 1);
      const wd = rand(size(ws), 2);
      const bd = rand(ws[0]!, 3);
      const x = ctx.tensor(xd, xs);
      const w = ctx.tensor(wd, ws);
      const y = await ctx.conv2d(x, w, { ...o, bias: ctx.tensor(bd, [ws[0]!]) });
      const ry = R.refConv2d({ data: xd, shape: xs }, { data: wd, shape: ws }, { data: bd, shape: [ws[0]!] }, o);
      const dyd = rand(size(ry.shape), 4);
      const g = await ctx.conv2dBackward(x, w, ctx.tensor(dyd, ry.shape), o);
      const rg = R.refConv2dBackward({ data: xd, shape: xs }, { data: wd, shape: ws }, { data: dyd, shape: ry.shape }, o);
      return [await cmp(y, ry, 'y'), await cmp(g.dx, rg.dx, 'dx'), await cmp(g.dw, rg.dw, 'dw'), await cmp(g.db, rg.db, 'db')]
        .filter(Boolean)
        .join('; ');
    },
  ];
}

export const CASES: Case[] = [
  convCase('same 3x3 N=3', [3, 4, 9, 7], [5, 4, 3, 3], {}),
  convCase('batch 1', [1, 3, 11, 6], [4, 3, 3, 3], {}),
  convCase('stride 2 dilation 2 reflect', [2, 3, 10, 9], [4, 3, 3, 3], { stride: 2, dilation: 2, padMode: 'reflect' }),
  convCase('groups 2 replicate', [2, 4, 7, 8], [6, 2, 3, 2], { groups: 2, padMode: 'replicate', padding: [1, 2, 0, 1] }),
  convCase('depthwise circular flip', [2, 3, 6, 6], [3, 1, 3, 3], { groups: 3, padMode: 'circular', flip: true }),
  [
    'im2col / col2im reflect stride 2',
    async (ctx) => {
      const xs = [3, 4, 7, 6];
      const o = { kernel: [2, 3] as [number, number], stride: 2, padMode: 'reflect' as const };
      const xd = rand(size(xs), 7);
      const rc = R.refIm2col({ data: xd, shape: xs }, o);
      const cd = rand(size(rc.shape), 8);
      const img = await ctx.col2im(ctx.tensor(cd, rc.shape), { ...o, inputShape: [3, 4, 7, 6] });
      return (
        (await cmp(await ctx.im2col(ctx.tensor(xd, xs), o), rc, 'cols')) +
        (await cmp(img, R.refCol2im({ data: cd, shape: rc.shape }, { ...o, inputShape: xs }), 'col2im'))
      );
    },
  ],
  [
    'maxpool 3x3 stride 2 fwd+bwd (ties, NaN)',
    async (ctx) => {
      const xs = [2, 3, 9, 7];
      const xd = rand(size(xs), 9);
      xd[0] = xd[1] = 0.99;
      xd[20] = NaN;
      const o = { kernel: 3, stride: 2 };
      const { y, indices } = await ctx.maxpool2d(ctx.tensor(xd, xs), o);
      const r = R.refMaxpool2d({ data: xd, shape: xs }, o);
      const idx = Array.from(await indices.read());
      const idxErr = idx.join() === Array.from(r.indices.data).join() ? '' : 'indices differ';
      const dyd = rand(size(r.y.shape), 10);
      const dx = await ctx.maxpool2dBackward(ctx.tensor(dyd, r.y.shape), indices, { ...o, inputShape: [2, 3, 9, 7] });
      return (await cmp(y, r.y, 'y')) + idxErr + (await cmp(dx, R.refMaxpool2dBackward({ data: dyd, shape: r.y.shape }, r.indices, xs), 'dx'));
    },
  ],
  [
    'gemm transA transB beta bias',
    async (ctx) => {
      const [m, k, n] = [6, 11, 29];
      const ad = rand(m * k, 11);
      const bd = rand(k * n, 12);
      const cd = rand(m * n, 13);
      const bias = rand(n, 14);
      const o = { transA: true, transB: true, alpha: 0.5, beta: 0.25 };
      const y = await ctx.gemm(ctx.tensor(ad, [k, m]), ctx.tensor(bd, [n, k]), {
        ...o,
        c: ctx.tensor(cd, [m, n]),
        bias: ctx.tensor(bias, [n]),
      });
      const r = R.refGemm({ data: ad, shape: [k, m] }, { data: bd, shape: [n, k] }, { ...o, c: { data: cd, shape: [m, n] }, bias: { data: bias, shape: [n] } });
      return cmp(y, r, 'gemm');
    },
  ],
  [
    'sgd momentum + decay, relu, reluBackward',
    async (ctx) => {
      const wd = rand(999, 15);
      const gd = rand(999, 16);
      const vd = rand(999, 17);
      const o = { lr: 0.1, momentum: 0.9, weightDecay: 0.01 };
      const w = ctx.tensor(wd, [999]);
      const v = ctx.tensor(vd, [999]);
      await ctx.sgd(w, ctx.tensor(gd, [999]), v, o);
      const r = R.refSgd({ data: wd, shape: [999] }, { data: gd, shape: [999] }, { data: vd, shape: [999] }, o);
      const x = ctx.tensor(wd, [999]);
      const relu = await ctx.relu(x);
      const rb = await ctx.reluBackward(x, ctx.tensor(gd, [999]));
      return (
        (await cmp(w, r.w, 'w')) +
        (await cmp(v, r.v, 'v')) +
        (await cmp(relu, R.refRelu({ data: wd, shape: [999] }), 'relu')) +
        (await cmp(rb, R.refReluBackward({ data: wd, shape: [999] }, { data: gd, shape: [999] }), 'reluBackward'))
      );
    },
  ],
  [
    'softmaxCrossEntropy + backward',
    async (ctx) => {
      const ld = rand(17 * 10, 18).map((v) => v * 20);
      const labels = Int32Array.from({ length: 17 }, (_, i) => (i * 7) % 10);
      const lt = ctx.tensor(labels, [17]);
      const { loss, probs } = await ctx.softmaxCrossEntropy(ctx.tensor(ld, [17, 10]), lt);
      const r = R.refSoftmaxCrossEntropy({ data: ld, shape: [17, 10] }, labels);
      const d = await ctx.softmaxCrossEntropyBackward(probs, lt);
      return (await cmp(loss, r.loss, 'loss')) + (await cmp(probs, r.probs, 'probs')) + (await cmp(d, R.refSoftmaxCrossEntropyBackward(r.probs, labels), 'dlogits'));
    },
  ],
];
