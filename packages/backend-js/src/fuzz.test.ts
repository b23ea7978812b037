// Randomized sweep of conv2d forward and backward over every path (im2col GEMM, pointwise, direct
// depthwise, Winograd) against the float64 reference. CONVKIT_JS_FUZZ sets the number of cases
// (default 60, seconds on CI); CONVKIT_JS_FUZZ_SEED picks another deterministic sequence.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@convkit/core';
import { refConv2d, refConv2dBackward, type ConvOptions, type PadMode } from '@convkit/reference';
import { expectClose, jsContext, rand, rng } from './test/helpers.js';

const COUNT = Number(process.env.CONVKIT_JS_FUZZ ?? 60);
const SEED = Number(process.env.CONVKIT_JS_FUZZ_SEED ?? 2026);
const PADS: PadMode[] = ['zeros', 'replicate', 'circular', 'reflect'];

describe(`conv2d fuzz (${COUNT} random cases, seed ${SEED}) vs float64 reference`, () => {
  it('forward, dx, dW, db', async () => {
    const r = rng(SEED);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    const ctx = await jsContext();
    let checked = 0;
    for (let i = 0; i < COUNT; i++) {
      const kind = pick(['winograd', 'pointwise', 'depthwise', 'general'] as const);
      const groups = kind === 'depthwise' ? int(1, 4) : pick([1, 1, 2]);
      const Cg = kind === 'winograd' ? int(8, 10) : kind === 'depthwise' ? 1 : int(1, 5);
      const Kg = kind === 'winograd' ? int(8, 10) : kind === 'depthwise' ? int(1, 3) : int(1, 6);
      const k = kind === 'winograd' ? 3 : kind === 'pointwise' ? 1 : int(1, 5);
      const k2 = kind === 'winograd' ? 3 : kind === 'pointwise' ? 1 : int(1, 5);
      const H = int(Math.max(2, k), 11);
      const W = int(Math.max(2, k2), 11);
      const padMode = pick(PADS);
      const stride = kind === 'winograd' || kind === 'pointwise' ? 1 : int(1, 3);
      const dilation = kind === 'general' && r() < 0.3 ? 2 : 1;
      let padding: ConvOptions['padding'] = pick(['same', 'valid', 'explicit'] as const) as 'same' | 'valid';
      if ((padding as string) === 'explicit') {
        const lim = (n: number) => (padMode === 'reflect' ? n - 1 : padMode === 'circular' ? n : 3);
        padding = [int(0, Math.min(2, lim(H))), int(0, Math.min(2, lim(H))), int(0, Math.min(2, lim(W))), int(0, Math.min(2, lim(W)))];
      }
      if (kind === 'pointwise') padding = 'valid';
      // a dilated kernel must fit the padded input
      const span = (kk: number) => dilation * (kk - 1) + 1;
      if (padding === 'valid' && (span(k) > H || span(k2) > W)) padding = 'same';
      const o: ConvOptions = { padMode, stride, dilation, padding, groups, flip: r() < 0.3 };
      const C = Cg * groups, K = Kg * groups, N = int(1, 3);
      const xs = rand(N * C * H * W, r), ws = rand(K * Cg * k * k2, r), bs = rand(K, r);
      const name = `#${i} ${kind} x[${N},${C},${H},${W}] w[${K},${Cg},${k},${k2}] ${JSON.stringify(o)}`;
      let ref;
      try {
        ref = refConv2d({ data: xs, shape: [N, C, H, W] }, { data: ws, shape: [K, Cg, k, k2] }, { data: bs, shape: [K] }, o);
      } catch {
        continue; // geometry with no output: core rejects it too
      }
      const tx = ctx.tensor(xs, [N, C, H, W]), tw = ctx.tensor(ws, [K, Cg, k, k2]);
      let y;
      try {
        y = await ctx.conv2d(tx, tw, { ...o, bias: ctx.tensor(bs, [K]) });
      } catch (e) {
        // e.g. reflect padding wider than the image: core rejects what the reference computes
        if (e instanceof ValidationError) continue;
        throw e;
      }
      checked++;
      expectClose(await y.read(), ref.data, `${name} y`);
      const dys = rand(y.size, r);
      const g = await ctx.conv2dBackward(tx, tw, ctx.tensor(dys, y.shape), o);
      const rg = refConv2dBackward({ data: xs, shape: [N, C, H, W] }, { data: ws, shape: [K, Cg, k, k2] }, { data: dys, shape: [...y.shape] }, o);
      expectClose(await g.dx!.read(), rg.dx.data, `${name} dx`);
      expectClose(await g.dw!.read(), rg.dw.data, `${name} dw`);
      expectClose(await g.db!.read(), rg.db.data, `${name} db`);
    }
    await ctx.dispose();
    expect(checked, 'cases actually compared').toBeGreaterThanOrEqual(Math.floor(COUNT / 2));
  });
});
