import type { Conv2dParams, DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { segments, split, type Range } from '../partition.js';
import type { Task } from '../pool.js';

/** Multiply-adds of one conv2d pass (forward, or each backward half). */
export function convWork(p: Conv2dParams): number {
  return p.N * p.K * p.outH * p.outW * (p.C / p.groups) * p.kH * p.kW;
}

/**
 * y [N, K, outH, outW]. js kernels: split by image when the batch divides evenly (each task runs
 * its own im2col + GEMM); otherwise by output rows (no repeated im2col), and by output channel
 * when the image has too few rows: batch 1 still uses every worker.
 *
 * wasm kernels: by image (the drivers' native split) whenever the batch covers the tasks; a batch
 * smaller than the task count (batch 1: workload C) with zero padding is cut into (image, output
 * rows) tiles, which the worker runs in wasm on the gathered input rows; other padding modes keep
 * whole images (one wasm task each) rather than dropping to js.
 */
export async function conv2d(rt: WorkersRuntime, x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams): Promise<DataId> {
  // every element is written by exactly one task (the js kernel zeroes its range first)
  const y = rt.allocOutput(p.N * p.K * p.outH * p.outW);
  const T = rt.parts(convWork(p));
  const all = (n: number): Range => [0, n];
  let tiles: [Range, Range, Range][];
  if (T === 1) tiles = [[all(p.N), all(p.K), all(p.outH)]];
  else if (rt.wasm) tiles = wasmTiles(p, T);
  else if (p.N % T === 0 || p.N >= 4 * T) tiles = split(p.N, T).map((n) => [n, all(p.K), all(p.outH)]);
  else if (p.outH >= 2 * T) tiles = split(p.outH, T).map((oy) => [all(p.N), all(p.K), oy]);
  else if (p.K >= T) tiles = split(p.K, T).map((k) => [all(p.N), k, all(p.outH)]);
  else tiles = split(p.N, T).map((n) => [n, all(p.K), all(p.outH)]);
  const args = { x: rt.get(x), w: rt.get(w), bias: bias ? rt.get(bias) : null, y };
  const tasks: Task[] = tiles.map(([n, k, oy]) => ({
    kernel: 'conv2d',
    p,
    args,
    outs: { y: segments([p.N, p.K, p.outH, p.outW], [n, k, oy]) },
    r: [n[0], n[1], k[0], k[1], oy[0], oy[1]],
  }));
  await rt.exec('conv2d', tasks, [y]);
  return y;
}

/** conv2d tiles for the wasm kernels: images, or (image, output rows) when the batch is small. */
function wasmTiles(p: Conv2dParams, T: number): [Range, Range, Range][] {
  const all = (n: number): Range => [0, n];
  if (p.N >= T || p.padMode !== 'zeros' || p.outH < 2) return split(p.N, T).map((n) => [n, all(p.K), all(p.outH)]);
  const perImage = Math.min(p.outH, Math.ceil(T / p.N));
  const tiles: [Range, Range, Range][] = [];
  for (let n = 0; n < p.N; n++) for (const oy of split(p.outH, perImage)) tiles.push([[n, n + 1], all(p.K), oy]);
  return tiles;
}
