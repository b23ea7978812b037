/**
 * Deterministic test data. A case carries a seed, not its values, so fast-check shrinks shapes
 * and parameters while the data stays reproducible from the printed counterexample.
 */

import { mulberry32 } from '@convkit/reference';

/** mulberry32 (one definition, in @convkit/reference). */
export const rng = mulberry32;

/**
 * 'uniform': float32 values in [-1, 1); 'ties': values in {-1, -0.5, 0, 0.5, 1} so that maxpool
 * windows often hold equal maxima (the first one must win) and sums are exact.
 */
export type ValueKind = 'uniform' | 'ties';

export function values(n: number, seed: number, kind: ValueKind = 'uniform'): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  if (kind === 'ties') for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 5) / 2 - 1;
  else for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** true when two typed arrays hold the same bits (NaN payloads and -0 included). */
export function bitwiseEqual(a: Float32Array | Int32Array, b: Float32Array | Int32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
