import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.js';

describe('mulberry32', () => {
  it('matches the published algorithm: a BigInt restatement, 1000 outputs of seeds 0, 42 and 123456789', () => {
    // Independent re-statement of mulberry32 in BigInt arithmetic (no Math.imul, no >>>).
    function big(seed: number) {
      let a = BigInt(seed);
      const M = 1n << 32n;
      const mul = (x: bigint, y: bigint) => (x * y) % M;
      return () => {
        a = (a + 0x6d2b79f5n) % M;
        let t = a;
        t = mul(t ^ (t >> 15n), t | 1n);
        t = (t ^ ((t + mul(t ^ (t >> 7n), t | 61n)) % M)) % M;
        return Number((t ^ (t >> 14n)) % M) / 2 ** 32;
      };
    }
    for (const seed of [0, 42, 123456789]) {
      const a = mulberry32(seed);
      const b = big(seed);
      for (let i = 0; i < 1000; i++) expect(a()).toBe(b());
    }
  });

  it('gives floats in [0, 1) and the same stream for the same seed, another for another seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    let differ = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = a();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      expect(b()).toBe(x);
      if (c() !== x) differ++;
    }
    expect(differ).toBeGreaterThan(9_990);
  });
});
