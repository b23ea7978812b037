import type { BatchNorm2dParams, BatchNorm2dResult, DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { segments, split } from '../partition.js';
import type { Seg } from '../protocol.js';
import type { Task } from '../pool.js';
import type { Rec } from '../storage.js';

/**
 * Batch norm by channel: each task owns a range of channels, computes each one's statistics over
 * N, H, W (training; float64 sums in backend-js's order) or takes its running statistics
 * (inference), then normalises that channel, and writes its updated running statistics; nothing
 * is shared between tasks, so the result does not depend on the split. The updated running
 * statistics are fresh outputs (the inputs stay as they were; a failed op returns nothing).
 */
export async function batchNorm2d(
  rt: WorkersRuntime,
  x: DataId,
  gamma: DataId | null,
  beta: DataId | null,
  runningMean: DataId | null,
  runningVar: DataId | null,
  p: BatchNorm2dParams,
): Promise<BatchNorm2dResult> {
  const { N, C } = p;
  const P = p.H * p.W;
  const size = N * C * P;
  const y = rt.allocOutput(size);
  const update = p.training && runningMean !== null && runningVar !== null;
  const newRm = update ? rt.allocOutput(C) : null;
  const newRv = update ? rt.allocOutput(C) : null;
  const opt = (id: DataId | null): Rec | null => (id ? rt.get(id) : null);
  const args = { x: rt.get(x), gamma: opt(gamma), beta: opt(beta), rm: opt(runningMean), rv: opt(runningVar), y, newRm, newRv };
  // training reads x three times (sum, squared deviations, normalisation), inference once
  const work = size * (p.training ? 3 : 1);
  const tasks: Task[] = split(C, rt.parts(work, 1)).map(([c0, c1]) => {
    const outs: Record<string, Seg[]> = { y: segments([N, C, P], [[0, N], [c0, c1]]) };
    if (update) outs.newRm = outs.newRv = [[c0, c1]];
    return { kernel: 'batchNorm2d', p, args, outs, r: [c0, c1] };
  });
  const outputs = update ? [y, newRm!, newRv!] : [y];
  await rt.execSmall('batchNorm2d', tasks, outputs, work);
  return { y, runningMean: newRm, runningVar: newRv };
}
