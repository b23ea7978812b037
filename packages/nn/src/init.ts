/**
 * Seeded, deterministic parameter initialisation: the same seed gives bit-identical weights on
 * every platform (the PRNG is integer arithmetic; the float32 rounding is the only float step).
 */

/** mulberry32 (one definition, in @convkit/reference), re-exported as part of nn's API. */
export { mulberry32 } from '@convkit/reference';

/** A source of uniform [0, 1) floats. */
export type Rng = () => number;

/**
 * He/Kaiming uniform (PyTorch's kaiming_uniform_ with a = 0, ReLU gain sqrt(2), fan_in mode):
 * values uniform in [-b, b) with b = sqrt(6 / fanIn).
 */
export function heUniform(size: number, fanIn: number, rng: Rng): Float32Array {
  if (!(fanIn > 0)) throw new RangeError(`heUniform: fanIn must be > 0, got ${fanIn}`);
  const bound = Math.sqrt(6 / fanIn);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * rng() - 1) * bound;
  return out;
}

/** Fisher-Yates shuffle of 0..n-1 driven by rng (deterministic for a seeded rng). */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
