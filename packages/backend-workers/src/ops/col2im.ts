import type { DataId, Im2colParams } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { segments } from '../partition.js';
import type { Task } from '../pool.js';
import { batchChannelTiles } from './im2col.js';

/** The adjoint of im2col into [N, C, H, W]; tasks own (image, channel) planes, so no two add into one pixel. */
export async function col2im(rt: WorkersRuntime, cols: DataId, p: Im2colParams): Promise<DataId> {
  const HW = p.inH * p.inW;
  const dx = rt.allocOutput(p.N * p.C * HW);
  const T = rt.parts(p.N * p.C * p.kH * p.kW * p.outH * p.outW);
  const args = { cols: rt.get(cols), dx };
  const tasks: Task[] = batchChannelTiles(p.N, p.C, T).map(([n, c]) => ({
    kernel: 'col2im',
    p,
    args,
    outs: { dx: segments([p.N, p.C, HW], [n, c]) },
    r: [n[0], n[1], c[0], c[1]],
  }));
  await rt.exec('col2im', tasks, [dx]);
  return dx;
}
