import { describe, expect, it } from 'vitest';
import { createContext, Registry } from '@convkit/core';
import { jsBackend } from '@convkit/backend-js';
import { mulberry32 as refMulberry32 } from '@convkit/reference';
import { heUniform, mulberry32, permutation, smallCnn } from './index.js';

describe('seeded initializer', () => {
  it("mulberry32 is @convkit/reference's (one PRNG in the repo; its algorithm is tested there)", () => {
    expect(mulberry32).toBe(refMulberry32);
  });

  it('He uniform: bounded by sqrt(6/fanIn), mean ~0, variance ~2/fanIn', () => {
    const fanIn = 50;
    const v = heUniform(200_000, fanIn, mulberry32(5));
    const b = Math.sqrt(6 / fanIn);
    let mean = 0;
    let sq = 0;
    let maxAbs = 0;
    for (const x of v) {
      maxAbs = Math.max(maxAbs, Math.abs(x));
      mean += x;
      sq += x * x;
    }
    expect(maxAbs).toBeLessThanOrEqual(b);
    expect(maxAbs).toBeGreaterThan(0.99 * b);
    mean /= v.length;
    const variance = sq / v.length - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.01 * b);
    expect(Math.abs(variance - 2 / fanIn) / (2 / fanIn)).toBeLessThan(0.02);
  });

  it('same seed gives identical weights, another seed different ones', async () => {
    const ctx = await createContext({ backend: 'js', registry: new Registry().register(jsBackend) });
    const a = await smallCnn(ctx, { seed: 11 }).getWeights();
    const b = await smallCnn(ctx, { seed: 11 }).getWeights();
    const c = await smallCnn(ctx, { seed: 12 }).getWeights();
    expect(a.length).toBe(8);
    a.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(b[i]!)));
    expect(Array.from(a[0]!)).not.toEqual(Array.from(c[0]!));
    // biases start at zero
    expect(a[1]!.every((v) => v === 0)).toBe(true);
    await ctx.dispose();
  });

  it('permutation is a deterministic permutation', () => {
    const p = permutation(1000, mulberry32(1));
    expect([...p].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect([...permutation(1000, mulberry32(1))]).toEqual([...p]);
    expect([...p.slice(0, 20)]).not.toEqual([...Array(20).keys()]);
  });
});
