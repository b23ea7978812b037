import type { DataId, GlobalPool2dParams } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { divmod, kernelSource, lit } from '../source.js';
import { globalAvgPoolBackwardJob } from '../webgpu/cnn.js';

/** dx[n, c, :, :] = dy[n, c] / (H*W): one kernel (one WGSL dispatch on webgpu), one output per thread. */
export async function globalAvgPool2dBackward(rt: GpujsRuntime, dy: DataId, p: GlobalPool2dParams): Promise<DataId> {
  const P = p.H * p.W;
  const size = p.N * p.C * P;
  const hd = await rt.f(dy);
  const wg = rt.engine.webgpu;
  if (wg) {
    const [dx] = await rt.engine.wgsl([{ ...globalAvgPoolBackwardJob(p, wg.maxGroups), inputs: [hd] }], [size]);
    return rt.out(dx, size);
  }
  const src = kernelSource(['dy'], `${divmod('pl', 'q', 't', P)}\nreturn dy[pl] / ${lit(P)};`);
  return rt.out(await rt.engine.run('globalAvgPool2dBackward', src, size, [hd], 4 * size), size);
}
