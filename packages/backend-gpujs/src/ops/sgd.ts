import type { DataId, SgdParams } from '@convkit/core';
import type { Device } from '../device.js';
import { kernelSource, lit } from '../source.js';

/**
 * v = m*v + g + lambda*w; w = w - lr*v, "in place": two kernels write new device handles and the
 * data ids of w and v are pointed at them (the old handles are freed). Nothing is read back.
 */
export async function sgd(d: Device, w: DataId, g: DataId, v: DataId, p: SgdParams): Promise<void> {
  const [hw, hg, hv] = [await d.f(w), await d.f(g), await d.f(v)];
  const vSrc = kernelSource(['w', 'g', 'v'], `return ${lit(p.momentum)} * v[t] + g[t] + ${lit(p.weightDecay)} * w[t];`);
  const vNew = await d.engine.run('sgd.v', vSrc, p.size, [hw, hg, hv]);
  let wNew;
  try {
    const wSrc = kernelSource(['w', 'vn'], `return w[t] - ${lit(p.lr)} * vn[t];`);
    wNew = await d.engine.run('sgd.w', wSrc, p.size, [hw, vNew]);
  } catch (e) {
    d.free(vNew, p.size);
    throw e;
  }
  d.replace(v, vNew);
  d.replace(w, wNew);
}
