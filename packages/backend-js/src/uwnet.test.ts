import { describe, expect, it } from 'vitest';
import { findUwnetDir, loadUwnet, refDense, refDenseBackward, type UwMatrix } from '@convkit/reference';
import { expectClose, jsContext } from './test/helpers.js';

// The course golden data lives beside the repo in ../shared/golden/uwnet (CI layout); skip cleanly without it.
const dir = findUwnetDir();
if (!dir) console.warn('[backend-js] ../shared/golden/uwnet not found (set CONVKIT_SHARED): uwnet golden tests skipped');
const TOL = { atol: 1e-4, rtol: 0 };

function load(name: string): UwMatrix {
  const m = loadUwnet(name);
  if (!m) throw new Error(`uwnet file ${name} missing in ${dir}`);
  return m;
}

/*
 * The connected-layer files are NOT unit scale (inputs in [-10, 10], outputs up to ~755) and the
 * goldens were computed and stored in float32 with 64-term sums: their own rounding error exceeds
 * 1e-4 on some elements (e.g. out[85]: golden 340.86121, float64 340.86103). Those files are checked
 * per element with |got - expected| <= 1e-4 + 2^-22 * scale[i], scale[i] = the same float64
 * formula on absolute values (sum of |terms|): 2^-23*scale covers the golden's float32 sums (as the
 * reference package does) and the other 2^-23*scale covers our own float32 output rounding.
 * Everything else is checked with a pure 1e-4 absolute tolerance.
 */
function closeScaled(got: ArrayLike<number>, m: UwMatrix, scale: ArrayLike<number>, what: string): void {
  expect(got.length, `${what}: length`).toBe(m.rows * m.cols);
  let bad = 0;
  let first = '';
  for (let i = 0; i < got.length; i++) {
    const bound = 1e-4 + 2 ** -22 * scale[i]!;
    const err = Math.abs(got[i]! - m.data[i]!);
    if (!(err <= bound)) {
      if (!bad) first = `flat index ${i}: got ${got[i]}, expected ${m.data[i]}, |err| ${err} > ${bound}`;
      bad++;
    }
  }
  expect(bad, `${what}: ${bad} mismatch(es), first at ${first}`).toBe(0);
}

function close(got: ArrayLike<number>, m: UwMatrix, what: string): void {
  expect(got.length, `${what}: length`).toBe(m.rows * m.cols);
  expectClose(got, m.data, what, TOL);
}

describe.skipIf(!dir)('uwnet goldens on the js backend (|err| <= 1e-4)', () => {
  const H = 48;
  const W = 64;

  it('im2col / im2col2 (size 3 and 2, stride 2)', async () => {
    const ctx = await jsContext();
    const x = ctx.tensor(load('dog_chw').data, [1, 3, H, W]);
    close(await (await ctx.im2col(x, { kernel: 3, stride: 2 })).read(), load('im2col'), 'im2col');
    close(await (await ctx.im2col(x, { kernel: 2, stride: 2 })).read(), load('im2col2'), 'im2col2');
  });

  it('col2mat / col2mat2', async () => {
    const ctx = await jsContext();
    for (const [src, k, want] of [['dcol', 3, 'col2mat'], ['dcol2', 2, 'col2mat2']] as const) {
      const m = load(src);
      const y = await ctx.col2im(ctx.tensor(m.data, [1, m.rows, m.cols]), { kernel: k, stride: 2, inputShape: [1, 3, H, W] });
      close(await y.read(), load(want), want);
    }
  });

  it('conv_y (size 3, stride 1, same, bias)', async () => {
    const ctx = await jsContext();
    const y = await ctx.conv2d(ctx.tensor(load('conv_x').data, [10, 16, 32, 64]), ctx.tensor(load('conv_w').data, [8, 16, 3, 3]), {
      bias: ctx.tensor(load('conv_b').data, [8]),
    });
    expect(y.shape).toEqual([10, 8, 32, 64]);
    close(await y.read(), load('conv_y'), 'conv_y');
  });

  it('max_y / max_y3 and max_dx / max_dx3', async () => {
    const ctx = await jsContext();
    const x = ctx.tensor(load('max_x').data, [10, 16, 32, 64]);
    for (const [k, sfx] of [[2, ''], [3, '3']] as const) {
      const { y, indices } = await ctx.maxpool2d(x, { kernel: k, stride: 2 });
      expect(y.shape).toEqual([10, 16, 16, 32]);
      close(await y.read(), load(`max_y${sfx}`), `max_y${sfx}`);
      const dx = await ctx.maxpool2dBackward(ctx.tensor(load(`max_dy${sfx}`).data, y.shape), indices, {
        kernel: k,
        stride: 2,
        inputShape: [10, 16, 32, 64],
      });
      close(await dx.read(), load(`max_dx${sfx}`), `max_dx${sfx}`);
    }
  });

  it('connected layer: forward, backward, and SGD updated_* via dense / denseBackward / sgd', async () => {
    const ctx = await jsContext();
    const A = load('a'), B = load('b'), bias = load('bias'), dyM = load('dy');
    const abs = (d: ArrayLike<number>) => Array.from(d, Math.abs);
    const xa = { data: abs(A.data), shape: [32, 64] };
    const wa = { data: abs(B.data), shape: [64, 16] };
    const x = ctx.tensor(A.data, [32, 64]);
    const w = ctx.tensor(B.data, [64, 16]);
    const b = ctx.tensor(bias.data, [16]);
    const outScale = refDense(xa, wa, { data: abs(bias.data), shape: [16] }).data;
    closeScaled(await (await ctx.dense(x, w, b)).read(), load('out'), outScale, 'out');
    const g = await ctx.denseBackward(x, w, ctx.tensor(dyM.data, [32, 16]));
    const ga = refDenseBackward(xa, wa, { data: abs(dyM.data), shape: [32, 16] });
    closeScaled(await g.dx.read(), load('truth_dx'), ga.dx.data, 'truth_dx');
    const dwPrev = load('dw').data;
    const dbPrev = load('db').data;
    const dwScale = ga.dw.data.map((v, i) => v + Math.abs(dwPrev[i]!));
    const dbScale = ga.db.data.map((v, i) => v + Math.abs(dbPrev[i]!));
    const gdw = await g.dw.read();
    const gdb = await g.db.read();
    closeScaled(gdw.map((v, i) => v + dwPrev[i]!), load('truth_dw'), dwScale, 'truth_dw');
    closeScaled(gdb.map((v, i) => v + dbPrev[i]!), load('truth_db'), dbScale, 'truth_db');
    // The accumulators hold m * Delta_{t-1}; the convention's velocity is Delta_{t-1} = accumulator / m.
    const m = 0.9;
    const vw = ctx.tensor(dwPrev.map((v) => v / m), [64, 16]);
    await ctx.sgd(w, g.dw, vw, { lr: 1, momentum: m, weightDecay: 0.5 });
    const wScale = dwScale.map((v, i) => v + 1.5 * Math.abs(B.data[i]!));
    closeScaled(await w.read(), load('updated_w'), wScale, 'updated_w');
    closeScaled((await vw.read()).map((v) => v * m), load('updated_dw'), wScale, 'updated_dw');
    const vb = ctx.tensor(dbPrev.map((v) => v / m), [16]);
    await ctx.sgd(b, g.db, vb, { lr: 1, momentum: m });
    const bScale = dbScale.map((v, i) => v + Math.abs(bias.data[i]!));
    closeScaled(await b.read(), load('updated_b'), bScale, 'updated_b');
    closeScaled((await vb.read()).map((v) => v * m), load('updated_db'), bScale, 'updated_db');
  });
});
