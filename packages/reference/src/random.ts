/**
 * mulberry32: a tiny 32-bit PRNG with integer-only state updates, so a seed gives the same sequence
 * on every platform. Returns a function giving floats uniform in [0, 1). The golden set, the
 * benchmark inputs and the fuzz cases are all drawn from it: changing it changes their bytes.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
