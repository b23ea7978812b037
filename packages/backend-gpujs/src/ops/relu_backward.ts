import type { DataId } from '@convkit/core';
import type { Device } from '../device.js';
import { kernelSource, nanFlag } from '../source.js';

/** dx = x > 0 ? dy : 0 (0 where x is NaN: NaN is tested first, see relu.ts). */
export async function reluBackward(d: Device, x: DataId, dy: DataId, size: number): Promise<DataId> {
  const src = kernelSource(['x', 'dy'], `let xv = x[t]; ${nanFlag('isn', 'xv')} let v = 0.0; if (isn < 0.5) { if (xv > 0.0) { v = dy[t]; } } return v;`);
  return d.out(await d.engine.run('reluBackward', src, size, [await d.f(x), await d.f(dy)]), size);
}
