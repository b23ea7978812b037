/**
 * Adam and the learning-rate schedules against PyTorch's formulas, restated here in float64
 * (torch.optim.Adam with amsgrad off, torch.optim.lr_scheduler.StepLR / CosineAnnealingLR), and
 * against numbers worked out by hand.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createContext, Registry, type Context } from '@convkit/core';
import { jsBackend } from '@convkit/backend-js';
import { compare, describeMismatch } from '@convkit/reference';
import { Adam, CosineAnnealingLR, Param, SGD, StepLR, mulberry32 } from './index.js';

let ctx: Context;
beforeAll(async () => {
  ctx = await createContext({ backend: 'js', registry: new Registry().register(jsBackend) });
});
afterAll(async () => {
  await ctx?.dispose();
});

const TOL = { atol: 1e-6, rtol: 1e-5 };
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string) {
  const r = compare(got, want, TOL);
  if (!r.ok) throw new Error(`${what}: ${describeMismatch(r, TOL)}`);
  expect(r.ok).toBe(true);
}

/** torch.optim.Adam's step for one tensor, float64 (the test's own restatement). */
function torchAdam(w: Float64Array, g: ArrayLike<number>, st: { m: Float64Array; v: Float64Array; t: number }, o: { lr: number; b1: number; b2: number; eps: number; wd: number }) {
  st.t += 1;
  const bc1 = 1 - Math.pow(o.b1, st.t);
  const bc2 = 1 - Math.pow(o.b2, st.t);
  for (let i = 0; i < w.length; i++) {
    const grad = g[i]! + o.wd * w[i]!;
    st.m[i] = st.m[i]! * o.b1 + grad * (1 - o.b1); // exp_avg.lerp_(grad, 1 - beta1)
    st.v[i] = st.v[i]! * o.b2 + grad * grad * (1 - o.b2); // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
    const denom = Math.sqrt(st.v[i]!) / Math.sqrt(bc2) + o.eps;
    w[i] = w[i]! - (o.lr / bc1) * (st.m[i]! / denom);
  }
}

describe('Adam (PyTorch formula)', () => {
  it('6 steps with L2 on the weight, none on the bias, a schedule changing lr: params and moments match float64', async () => {
    const rng = mulberry32(21);
    const w0 = Float32Array.from({ length: 24 }, () => rng() * 2 - 1);
    const b0 = Float32Array.from({ length: 4 }, () => rng() - 0.5);
    const pw = new Param('w', ctx.tensor(w0, [6, 4]), true);
    const pb = new Param('b', ctx.tensor(b0, [4]), false);
    const o = { lr: 0.01, b1: 0.8, b2: 0.95, eps: 1e-6, wd: 0.1 };
    const opt = new Adam(ctx, [pw, pb], { lr: o.lr, betas: [o.b1, o.b2], eps: o.eps, weightDecay: o.wd });
    const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const rw = Float64Array.from(w0);
    const rb = Float64Array.from(b0);
    const sw = { m: new Float64Array(24), v: new Float64Array(24), t: 0 };
    const sb = { m: new Float64Array(4), v: new Float64Array(4), t: 0 };
    for (let step = 0; step < 6; step++) {
      // gradients of mixed sign and scale, some exactly zero
      const gw = Float32Array.from({ length: 24 }, (_, i) => (i % 7 === 0 ? 0 : (rng() * 2 - 1) * 10 ** ((i % 3) - 1)));
      const gb = Float32Array.from({ length: 4 }, () => rng() - 0.5);
      pw.setGrad(ctx.tensor(gw, [6, 4]));
      pb.setGrad(ctx.tensor(gb, [4]));
      const lr = opt.lr;
      await opt.step();
      torchAdam(rw, gw, sw, { ...o, lr });
      torchAdam(rb, gb, sb, { ...o, lr, wd: 0 });
      sched.step();
      expect(pw.grad).toBeNull();
      expectClose(await pw.value.read(), rw, `weight after step ${step + 1}`);
      expectClose(await pb.value.read(), rb, `bias after step ${step + 1}`);
    }
    expect(opt.t).toBe(6);
    expectClose(opt.moments(pw)!.m, sw.m, 'first moment');
    expectClose(opt.moments(pw)!.v, sw.v, 'second moment');
    pw.dispose();
    pb.dispose();
  });

  it('by hand: the first step moves each weight by lr * g / (|g| + eps) (eps 1e-12: lr * sign(g)); a zero gradient leaves it', async () => {
    // m1 = (1-b1) g, v1 = (1-b2) g^2; bias correction gives m^ = g, sqrt(v^) = |g|
    const p = new Param('w', ctx.tensor([1, 1, 1, 1], [4]), false);
    const opt = new Adam(ctx, [p], { lr: 0.1, eps: 1e-12 });
    p.setGrad(ctx.tensor([2, -0.5, 0, 1e-3], [4]));
    await opt.step();
    expectClose(await p.value.read(), [0.9, 1.1, 1, 0.9], 'after one step');
    // eps outside the sqrt: a gradient of 1e-8 with eps 1e-8 moves by lr/2
    const q = new Param('q', ctx.tensor([0], [1]), false);
    const opt2 = new Adam(ctx, [q], { lr: 1, eps: 1e-8 });
    q.setGrad(ctx.tensor([1e-8], [1]));
    await opt2.step();
    expectClose(await q.value.read(), [-0.5], 'eps added to sqrt(v^)');
    p.dispose();
    q.dispose();
  });

  it('refuses bad options and a missing gradient before changing anything', async () => {
    const p = new Param('w', ctx.tensor([1, 2], [2]), true);
    expect(() => new Adam(ctx, [p], { lr: -1 })).toThrow(RangeError);
    expect(() => new Adam(ctx, [p], { betas: [0.9, 1] })).toThrow('betas[1] must be in [0, 1)');
    expect(() => new Adam(ctx, [p], { eps: NaN })).toThrow(RangeError);
    expect(() => new Adam(ctx, [p], { weightDecay: -0.1 })).toThrow(RangeError);
    const opt = new Adam(ctx, [p]);
    await expect(opt.step()).rejects.toThrow('Adam.step: w has no gradient');
    expect(opt.t).toBe(0);
    expect(Array.from(await p.value.read())).toEqual([1, 2]);
    p.dispose();
  });
});

describe('learning-rate schedules (PyTorch closed forms)', () => {
  const opt = () => new SGD(ctx, [], { lr: 0.1 });

  it('StepLR: lr * gamma^floor(t / stepSize), lr set at construction and after each step', () => {
    const o = opt();
    const s = new StepLR(o, { stepSize: 3, gamma: 0.5 });
    const seen = [o.lr];
    for (let i = 0; i < 7; i++) seen.push(s.step());
    expect(seen).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]);
    expect(s.lastEpoch).toBe(7);
  });

  it('CosineAnnealingLR: eta_min + (base - eta_min)(1 + cos(pi t / T)) / 2: base at 0, the midpoint at T/2, eta_min at T', () => {
    const o = opt();
    const s = new CosineAnnealingLR(o, { tMax: 4, etaMin: 0.02 });
    const seen = [o.lr];
    for (let i = 0; i < 4; i++) seen.push(s.step());
    const c = (t: number) => 0.02 + (0.08 * (1 + Math.cos((Math.PI * t) / 4))) / 2;
    expect(seen[0]).toBe(0.1);
    expect(seen[2]).toBeCloseTo(0.06, 15);
    expect(seen[4]).toBeCloseTo(0.02, 15);
    seen.forEach((v, t) => expect(v).toBeCloseTo(c(t), 15));
    // torch's values for base 0.1, T 4, eta_min 0.02 (printed by the recursive form): 0.0882842712, 0.0317157288
    expect(seen[1]).toBeCloseTo(0.0882842712, 9);
    expect(seen[3]).toBeCloseTo(0.0317157288, 9);
  });

  it('refuses bad schedule options', () => {
    expect(() => new StepLR(opt(), { stepSize: 0 })).toThrow(RangeError);
    expect(() => new CosineAnnealingLR(opt(), { tMax: 2.5 })).toThrow('tMax must be an integer >= 1');
    expect(() => new CosineAnnealingLR(opt(), { tMax: 3, etaMin: -1 })).toThrow(RangeError);
  });
});
