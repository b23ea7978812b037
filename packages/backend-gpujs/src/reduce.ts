/**
 * Row sums for the gpu.js-language kernels (GL and webasm modes; webgpu without WGSL): R rows of L
 * terms, each term a kernel-source expression of `row` and `j`. A gpu.js kernel computes one
 * output per thread, so a long row is summed as a tree of branching SUM_CHUNK: the first kernel
 * writes ceil(L / SUM_CHUNK) partial sums per row (each thread adds one chunk in order, in f32),
 * the next kernels sum those chunks the same way until one value per row is left (error
 * O(SUM_CHUNK * depth) ulps instead of O(L)).
 */
import type { Handle } from './engine.js';
import type { GpujsRuntime } from './runtime.js';
import { divmod, kernelSource, lit } from './source.js';

export const SUM_CHUNK = 128;

/**
 * y[row] = scale * sum over j < L of the terms: `term(row, j)` is kernel source that declares the
 * term as `v` (it may read the kernel's inputs `args`). Returns a new handle of R elements.
 */
export async function sumRows(
  rt: GpujsRuntime,
  name: string,
  R: number,
  L: number,
  args: { names: readonly string[]; handles: readonly Handle[] },
  term: (row: string, j: string) => string,
  scale: number,
): Promise<Handle> {
  const S = Math.ceil(L / SUM_CHUNK);
  const last = S <= 1;
  const n = last ? R : R * S;
  const src = kernelSource(
    args.names,
    `${last ? 'let row = t; let s = 0.0;' : divmod('row', 's', 't', S)}
let acc = 0.0;
for (let jj = 0.0; jj < ${lit(Math.min(L, SUM_CHUNK))}; jj++) {
  let j = s * ${lit(SUM_CHUNK)} + jj;
  if (j < ${lit(L)}) { ${term('row', 'j')} acc = acc + v; }
}
return acc * ${lit(last ? scale : 1)};`,
  );
  const h = await rt.engine.run(`${name}.sum`, src, n, args.handles, 4 * R * L);
  if (last) return h;
  try {
    return await sumRows(rt, name, R, S, { names: ['p'], handles: [h] }, (r, j) => `let v = p[${r} * ${lit(S)} + ${j}];`, scale);
  } finally {
    rt.free(h, n);
  }
}

/** Frees the handles in `hs` (for the error paths of multi-kernel ops). */
export function freeAll(rt: GpujsRuntime, hs: readonly [Handle, number][]): void {
  for (const [h, n] of hs) rt.free(h, n);
}
