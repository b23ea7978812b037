import type { AvgPool2dParams, DataId } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { kernelSource, lit, unflatten } from '../source.js';
import { avgpoolJob } from '../webgpu/cnn.js';

/**
 * Kernel source declaring `dv`, the divisor of output (oy, ox) (CONVENTIONS.md "Average pooling"):
 * the window's taps inside the input, or inside the padded extent with countIncludePad.
 */
export function avgDivisorSource(p: AvgPool2dParams, oy: string, ox: string, dv: string): string {
  const axis = (cnt: string, o: string, s: number, d: number, k: number, before: number, after: number, n: number) => {
    const lo = p.countIncludePad ? -before : 0;
    const hi = p.countIncludePad ? n + after : n;
    return `let ${cnt} = 0.0; for (let cj = 0.0; cj < ${lit(k)}; cj++) { let ct = ${o} * ${lit(s)} - ${lit(before)} + cj * ${lit(d)}; if (ct >= ${lit(lo)} && ct < ${lit(hi)}) { ${cnt} = ${cnt} + 1.0; } }`;
  };
  return [
    axis(`${dv}y`, oy, p.strideH, p.dilationH, p.kH, p.padTop, p.padBottom, p.inH),
    axis(`${dv}x`, ox, p.strideW, p.dilationW, p.kW, p.padLeft, p.padRight, p.inW),
    `let ${dv} = ${dv}y * ${dv}x;`,
  ].join('\n');
}

/**
 * Average pooling (ceil mode, count-include-pad and dilation as core computed them), one output
 * per thread (one WGSL dispatch on webgpu); a window with divisor 0 gives NaN, as the reference.
 */
export async function avgpool2d(rt: GpujsRuntime, x: DataId, p: AvgPool2dParams): Promise<DataId> {
  const { N, C, inH: H, inW: W, kH, kW, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  const size = N * C * outH * outW;
  const hx = await rt.f(x);
  const wg = rt.engine.webgpu;
  if (wg) {
    const [y] = await rt.engine.wgsl([{ ...avgpoolJob(p, wg.maxGroups), inputs: [hx] }], [size]);
    return rt.out(y, size);
  }
  const src = kernelSource(
    ['x'],
    `${unflatten('t', ['pl', 'oy', 'ox'], [N * C, outH, outW])}
let s = 0.0;
for (let ky = 0.0; ky < ${lit(kH)}; ky++) {
  let iy = oy * ${lit(strideH)} - ${lit(padTop)} + ky * ${lit(dilationH)};
  if (iy >= 0.0 && iy < ${lit(H)}) {
    for (let kx = 0.0; kx < ${lit(kW)}; kx++) {
      let ix = ox * ${lit(strideW)} - ${lit(padLeft)} + kx * ${lit(dilationW)};
      if (ix >= 0.0 && ix < ${lit(W)}) { s = s + x[(pl * ${lit(H)} + iy) * ${lit(W)} + ix]; }
    }
  }
}
${avgDivisorSource(p, 'oy', 'ox', 'dv')}
let r = 0.0;
if (dv > 0.5) { r = s / dv; } else { let z = dv - dv; r = z / z; }
return r;`,
  );
  return rt.out(await rt.engine.run('avgpool2d', src, size, [hx], 4 * size * kH * kW), size);
}
