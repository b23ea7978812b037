/** Seeded inputs: every implementation gets the same bytes. */
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
