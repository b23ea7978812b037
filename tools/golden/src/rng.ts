import { mulberry32 } from '@convkit/reference';

/** Deterministic PRNG (mulberry32) so that regenerating gives identical bytes. */
export const rng = mulberry32;

/** n float32 values uniform in [-scale, scale). */
export function uniform32(n: number, r: () => number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}

/** n float32 values drawn from a small set (forces ties). */
export function levels32(n: number, r: () => number, levels: readonly number[]): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = levels[Math.floor(r() * levels.length)]!;
  return out;
}

export function seedOf(id: string): number {
  // FNV-1a of the case id: the seed depends only on the id
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
