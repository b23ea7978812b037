import type { DataId, SgdParams } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/**
 * In place for the caller: the step is computed into fresh buffers and swapped into w and v only
 * when every task succeeded, so a worker dying mid-step leaves w and v unchanged.
 */
export async function sgd(rt: WorkersRuntime, w: DataId, g: DataId, v: DataId, p: SgdParams): Promise<void> {
  const wr = rt.get(w);
  const vr = rt.get(v);
  const w2 = rt.allocOutput(p.size);
  const v2 = rt.allocOutput(p.size);
  const args = { w: wr, g: rt.get(g), v: vr, w2, v2 };
  const tasks: Task[] = split(p.size, rt.parts(p.size * 4, 1), 16).map(([a, b]) => ({
    kernel: 'sgd',
    p,
    args,
    outs: { w2: [[a, b]], v2: [[a, b]] },
    r: [a, b],
  }));
  await rt.exec('sgd', tasks, [w2, v2]);
  rt.storage.swap(wr, w2);
  rt.storage.swap(vr, v2);
  rt.storage.free(w2);
  rt.storage.free(v2);
}
