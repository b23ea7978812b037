import type { DataId, SgdParams } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { kernelSource, lit } from '../source.js';

/**
 * v = m*v + g + lambda*w; w = w - lr*v, "in place": two kernels write new device handles and the
 * data ids of w and v are pointed at them (the old handles are freed). Nothing is read back.
 */
export async function sgd(rt: GpujsRuntime, w: DataId, g: DataId, v: DataId, p: SgdParams): Promise<void> {
  const [hw, hg, hv] = [await rt.f(w), await rt.f(g), await rt.f(v)];
  const vSrc = kernelSource(['w', 'g', 'v'], `return ${lit(p.momentum)} * v[t] + g[t] + ${lit(p.weightDecay)} * w[t];`);
  const vNew = await rt.engine.run('sgd.v', vSrc, p.size, [hw, hg, hv]);
  let wNew;
  try {
    const wSrc = kernelSource(['w', 'vn'], `return w[t] - ${lit(p.lr)} * vn[t];`);
    wNew = await rt.engine.run('sgd.w', wSrc, p.size, [hw, vNew]);
  } catch (e) {
    rt.free(vNew, p.size);
    throw e;
  }
  rt.replace(v, vNew);
  rt.replace(w, wNew);
}
