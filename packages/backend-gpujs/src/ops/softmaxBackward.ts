import type { AxisParams, DataId } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { divmod, kernelSource, lit } from '../source.js';
import { softmaxBackwardJob } from '../webgpu/cnn.js';
import { sliceBase } from './softmax.js';

/**
 * From the forward's output y: softmax dx = y * (dy - sum(dy * y)), log-softmax
 * dx = dy - exp(y) * sum(dy), sums along the axis. webgpu: one dispatch; GL / webasm: the slice
 * sums, then the outputs.
 */
export async function softmaxAxisBackward(rt: GpujsRuntime, y: DataId, dy: DataId, p: AxisParams, log: boolean): Promise<DataId> {
  const { outer, len, inner } = p;
  const size = outer * len * inner;
  const S = outer * inner;
  const hy = await rt.f(y);
  const hd = await rt.f(dy);
  const name = log ? 'logSoftmaxBackward' : 'softmaxBackward';
  const wg = rt.engine.webgpu;
  if (wg) {
    const [dx] = await rt.engine.wgsl([{ ...softmaxBackwardJob(p, log, wg.maxGroups), inputs: [hy, hd] }], [size]);
    return rt.out(dx, size);
  }
  const sumSrc = kernelSource(
    ['y', 'dy'],
    `${sliceBase(p, 't')}
let s = 0.0;
for (let j = 0.0; j < ${lit(len)}; j++) { let k = base + j * ${lit(inner)}; s = s + dy[k]${log ? '' : ' * y[k]'}; }
return s;`,
  );
  const sm = await rt.engine.run(`${name}.sum`, sumSrc, S, [hy, hd], 4 * (log ? 1 : 2) * size);
  try {
    const outSrc = kernelSource(
      ['y', 'dy', 's'],
      `${divmod('o', 'rest', 't', len * inner)}
${divmod('j', 'i', 'rest', inner)}
let sv = s[o * ${lit(inner)} + i];
return ${log ? 'dy[t] - Math.exp(y[t]) * sv' : 'y[t] * (dy[t] - sv)'};`,
    );
    return rt.out(await rt.engine.run(name, outSrc, size, [hy, hd, sm], 4 * 3 * size), size);
  } finally {
    rt.free(sm, S);
  }
}

export function softmaxBackward(rt: GpujsRuntime, y: DataId, dy: DataId, p: AxisParams): Promise<DataId> {
  return softmaxAxisBackward(rt, y, dy, p, false);
}
