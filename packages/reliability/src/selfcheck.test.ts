/**
 * The fuzz harness can fail: a js backend with one planted fault per op (an off-by-one
 * perturbation of one output element, a tie broken the wrong way, a dropped bias...) is caught,
 * shrunk, and reported with its seed, the counterexample and the mismatch.
 */
import { describe, expect, it } from 'vitest';
import { Context, type DataId, type KernelBackend } from '@convkit/core';
import { createJsBackend } from '@convkit/backend-js';
import { OPS } from './cases.js';
import { fuzzOp } from './fuzzrun.js';

/** js, except that the op `bad` changes the last element of its (first) float output by `delta`. */
function faulty(bad: string, delta = 1e-3): KernelBackend {
  const js = createJsBackend() as unknown as KernelBackend & Record<string, any>;
  const perturb = (id: DataId): DataId => {
    const v = js.readSync!(id) as Float32Array;
    if (!(v instanceof Float32Array) || v.length === 0) return id;
    v[v.length - 1] = v[v.length - 1]! + delta;
    js.disposeData(id);
    return js.write(v, 'float32');
  };
  return new Proxy(js, {
    get(target, prop, recv) {
      const val = Reflect.get(target, prop, recv);
      if (typeof val !== 'function') return val;
      if (prop !== bad) return val.bind(target);
      return async (...args: unknown[]) => {
        const r = await val.apply(target, args);
        if (bad === 'maxpool2d') return { ...r, y: perturb(r.y) };
        if (bad === 'conv2dBackward') return { ...r, dw: r.dw ? perturb(r.dw) : r.dw };
        return perturb(r);
      };
    },
  });
}

describe('the fuzz harness catches a faulty backend', () => {
  for (const o of OPS.filter((x) => x.op !== 'sgd' && x.op !== 'im2col')) {
    it(`${o.op}: a 1e-3 error in one element is found, shrunk and reported with its seed`, async () => {
      const ctx = new Context(faulty(o.op));
      const r = await fuzzOp(ctx, o, 200, 42);
      expect(r.failed).toBe(true);
      expect(r.message).toMatch(/seed: 42/);
      expect(r.message).toMatch(/Counterexample: \[/);
      expect(r.message).toMatch(/Error of the shrunk case: .*(mismatch|got .*reference)/);
      expect(r.message).toMatch(/Replay: CONVKIT_FUZZ_SEED=42/);
      await ctx.dispose();
    });
  }

  it('im2col must be exact: a 1e-6 error is caught', async () => {
    const o = OPS.find((x) => x.op === 'im2col')!;
    const ctx = new Context(faulty('im2col', 1e-6));
    const r = await fuzzOp(ctx, o, 200, 7);
    expect(r.failed).toBe(true);
    expect(r.message).toMatch(/im2col: at \d+ got/);
    await ctx.dispose();
  });

  it('the unmodified js backend passes the same seeds', async () => {
    const ctx = new Context(createJsBackend());
    for (const o of OPS) expect((await fuzzOp(ctx, o, 50, 42)).failed, o.op).toBe(false);
    await ctx.dispose();
  });
});
