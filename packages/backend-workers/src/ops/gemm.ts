import type { DataId, GemmParams } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { segments, split, type Range } from '../partition.js';
import type { Task } from '../pool.js';

/**
 * GEMM split into row tiles (multiples of 4 rows), or column tiles (multiples of 8) when m is
 * small. The wasm kernels split by rows only: column tiles (m < tasks: a matrix-vector-like,
 * memory-bound product) run the js kernel, and the worker reports it.
 */
export async function gemm(rt: WorkersRuntime, a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams): Promise<DataId> {
  const out = rt.allocOutput(p.m * p.n);
  const T = rt.parts(p.m * p.n * p.k);
  let tiles: [Range, Range][];
  if (T === 1) tiles = [[[0, p.m], [0, p.n]]];
  else if (rt.wasm && p.m >= T) tiles = split(p.m, T, p.m >= 4 * T ? 4 : 1).map((r) => [r, [0, p.n]]); // wasm: rows only
  else if (p.m >= 4 * T) tiles = split(p.m, T, 4).map((r) => [r, [0, p.n]]);
  else if (p.n >= 8 * T) tiles = split(p.n, T, 8).map((cr) => [[0, p.m], cr]);
  else if (p.m >= T) tiles = split(p.m, T).map((r) => [r, [0, p.n]]);
  else tiles = split(p.n, T).map((cr) => [[0, p.m], cr]);
  const args = { a: rt.get(a), b: rt.get(b), c0: c ? rt.get(c) : null, bias: bias ? rt.get(bias) : null, out };
  const tasks: Task[] = tiles.map(([r, cr]) => ({
    kernel: 'gemm',
    p,
    args,
    outs: { out: segments([p.m, p.n], [r, cr]) },
    r: [r[0], r[1], cr[0], cr[1]],
  }));
  await rt.exec('gemm', tasks, [out]);
  return out;
}
