import type { DataId, Im2colParams } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { segments, split, type Range } from '../partition.js';
import type { Task } from '../pool.js';

/** Splits a batch x channel rectangle: by image when there are enough, else by channel. */
export function batchChannelTiles(N: number, C: number, T: number): [Range, Range][] {
  if (T === 1) return [[[0, N], [0, C]]];
  if (N % T === 0 || N >= 4 * T || C < T) return split(N, T).map((n) => [n, [0, C]]);
  return split(C, T).map((c) => [[0, N], c]);
}

/** Columns [N, C*kH*kW, outH*outW]; tasks own (image, channel) blocks of rows. */
export async function im2col(rt: WorkersRuntime, x: DataId, p: Im2colParams): Promise<DataId> {
  const kk = p.kH * p.kW;
  const L = p.outH * p.outW;
  const cols = rt.allocOutput(p.N * p.C * kk * L);
  const T = rt.parts(p.N * p.C * kk * L);
  const args = { x: rt.get(x), cols };
  const tasks: Task[] = batchChannelTiles(p.N, p.C, T).map(([n, c]) => ({
    kernel: 'im2col',
    p,
    args,
    outs: { cols: segments([p.N, p.C * kk, L], [n, [c[0] * kk, c[1] * kk]]) },
    r: [n[0], n[1], c[0], c[1]],
  }));
  await rt.exec('im2col', tasks, [cols]);
  return cols;
}
