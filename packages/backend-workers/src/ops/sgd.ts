import type { DataId, SgdParams } from '@convkit/core';
import type { Host } from '../host.js';
import { split } from '../partition.js';
import type { Task } from '../pool.js';

/**
 * In place for the caller: the step is computed into fresh buffers and swapped into w and v only
 * when every task succeeded, so a worker dying mid-step leaves w and v unchanged.
 */
export async function sgd(h: Host, w: DataId, g: DataId, v: DataId, p: SgdParams): Promise<void> {
  const wr = h.get(w);
  const vr = h.get(v);
  const w2 = h.allocOutput(p.size);
  const v2 = h.allocOutput(p.size);
  const args = { w: wr, g: h.get(g), v: vr, w2, v2 };
  const tasks: Task[] = split(p.size, h.parts(p.size * 4, 1), 16).map(([a, b]) => ({
    kernel: 'sgd',
    p,
    args,
    outs: { w2: [[a, b]], v2: [[a, b]] },
    r: [a, b],
  }));
  await h.exec('sgd', tasks, [w2, v2]);
  h.storage.swap(wr, w2);
  h.storage.swap(vr, v2);
  h.storage.free(w2);
  h.storage.free(v2);
}
