import type { AvgPool2dParams, DataId } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { divmod, kernelSource, lit, unflatten } from '../source.js';
import { avgpoolBackwardJob } from '../webgpu/cnn.js';
import { avgDivisorSource } from './avgpool2d.js';

/**
 * Average pooling backward in gather form, one input element per thread (one WGSL dispatch on
 * webgpu): dx = sum over the window taps (oy, ox, ky, kx) that read it of dy / divisor.
 */
export async function avgpool2dBackward(rt: GpujsRuntime, dy: DataId, p: AvgPool2dParams): Promise<DataId> {
  const { N, C, inH: H, inW: W, kH, kW, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const size = N * C * H * W;
  const hd = await rt.f(dy);
  const wg = rt.engine.webgpu;
  if (wg) {
    const [dx] = await rt.engine.wgsl([{ ...avgpoolBackwardJob(p, wg.maxGroups), inputs: [hd] }], [size]);
    return rt.out(dx, size);
  }
  const src = kernelSource(
    ['dy'],
    `${unflatten('t', ['pl', 'iy', 'ix'], [N * C, H, W])}
let s = 0.0;
for (let ky = 0.0; ky < ${lit(kH)}; ky++) {
  let ty = iy + ${lit(padTop)} - ky * ${lit(dilationH)};
  if (ty >= 0.0) {
    ${divmod('oy', 'ry', 'ty', strideH)}
    if (ry < 0.5 && oy < ${lit(outH)}) {
      for (let kx = 0.0; kx < ${lit(kW)}; kx++) {
        let tx = ix + ${lit(padLeft)} - kx * ${lit(dilationW)};
        if (tx >= 0.0) {
          ${divmod('ox', 'rx', 'tx', strideW)}
          if (rx < 0.5 && ox < ${lit(outW)}) {
            ${avgDivisorSource(p, 'oy', 'ox', 'dv')}
            if (dv > 0.5) { s = s + dy[(pl * ${lit(outH)} + oy) * ${lit(outW)} + ox] / dv; }
          }
        }
      }
    }
  }
}
return s;`,
  );
  return rt.out(await rt.engine.run('avgpool2dBackward', src, size, [hd], 4 * size * kH * kW), size);
}
