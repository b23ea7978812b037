import type { DataId } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { kernelSource, nanFlag } from '../source.js';

/** dx = x > 0 ? dy : 0 (0 where x is NaN: NaN is tested first, see relu.ts). */
export async function reluBackward(rt: GpujsRuntime, x: DataId, dy: DataId, size: number): Promise<DataId> {
  const src = kernelSource(['x', 'dy'], `let xv = x[t]; ${nanFlag('isn', 'xv')} let v = 0.0; if (isn < 0.5) { if (xv > 0.0) { v = dy[t]; } } return v;`);
  return rt.out(await rt.engine.run('reluBackward', src, size, [await rt.f(x), await rt.f(dy)]), size);
}
