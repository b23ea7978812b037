import type { AxisParams, DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { segments, split, type Range } from '../partition.js';
import type { Task } from '../pool.js';
import type { Rec } from '../storage.js';

/**
 * The tasks of a softmax-like op over the tensor viewed as [outer, len, inner]: each task owns
 * whole slices along the axis (one slice = the `len` values of one (outer, inner) position; its
 * sums stay in one task, in axis order), as ranges of slice numbers o * inner + i: whole rows of
 * `outer` when there are enough of them, else ranges of `inner` within each row (softmax over the
 * channels of [N, C, H, W] at batch 1).
 */
export function axisTasks(rt: WorkersRuntime, kernel: Task['kernel'], p: AxisParams, args: Record<string, Rec | null>, out: string, work: number): Task[] {
  const { outer, len, inner } = p;
  const T = rt.parts(work, 1);
  const tiles: [Range, Range][] = [];
  if (T === 1 || outer >= T || inner === 1) for (const o of split(outer, T)) tiles.push([o, [0, inner]]);
  else for (let o = 0; o < outer; o++) for (const i of split(inner, Math.ceil(T / outer))) tiles.push([[o, o + 1], i]);
  return tiles.map(([o, i]) => ({
    kernel,
    p,
    args,
    outs: { [out]: segments([outer, len, inner], [o, [0, len], i]) },
    // slices [o0 * inner + i0, (o1 - 1) * inner + i1): whole rows, or part of one row
    r: [o[0] * inner + i[0], (o[1] - 1) * inner + i[1]],
  }));
}

/** y = softmax(x) along the axis (max subtracted, float64 sums), by slices along the axis. */
export async function softmax(rt: WorkersRuntime, x: DataId, p: AxisParams): Promise<DataId> {
  const size = p.outer * p.len * p.inner;
  const y = rt.allocOutput(size);
  await rt.execSmall('softmax', axisTasks(rt, 'softmax', p, { x: rt.get(x), y }, 'y', size * 4), [y], size * 4);
  return y;
}
