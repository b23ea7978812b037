import { mulberry32 } from '@convkit/reference';

/** Seeded inputs (mulberry32): every implementation gets the same bytes. */
export { mulberry32 };

/** Uniform values in [-scale, scale). */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}

export function randomLabels(n: number, classes: number, seed: number): Int32Array {
  const r = mulberry32(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * classes);
  return out;
}

/** n distinct-ish sample indices in [0, size): corners first, then seeded random ones. All when size <= n. */
export function sampleIndices(size: number, n: number, seed: number): number[] {
  if (size <= n) return Array.from({ length: size }, (_, i) => i);
  const out = new Set<number>([0, size - 1]);
  const r = mulberry32(seed);
  while (out.size < n) out.add(Math.floor(r() * size));
  return [...out];
}
