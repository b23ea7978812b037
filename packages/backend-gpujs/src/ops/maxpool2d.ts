import type { DataId, MaxPool2dParams } from '@convkit/core';
import { GData, type GpujsRuntime } from '../runtime.js';
import { kernelSource, lit, nanFlag, unflatten } from '../source.js';
import { maxpoolJob } from '../webgpu/kernels.js';

/**
 * Max pooling, on GL and wasm two kernels over the same window scan (on webgpu one WGSL kernel
 * writes both outputs, webgpu/kernels.ts) (row-major, strict '>' so ties go to the first max; a
 * NaN replaces the running max and only another NaN replaces a NaN, so a window with NaN gives NaN
 * and the index of its LAST NaN, PyTorch's rule as in @convkit/reference; out-of-image positions
 * skipped): one returns the max, the other the window offset ky*kW + kx of
 * the max. Offsets are small integers (< kH*kW), exact in f32 whatever the tensor size; the int32
 * flat index into x is computed from them on the host, in integer arithmetic, when the indices
 * are read (device.ts offsetsToIndices), and maxpool2dBackward consumes the offsets directly.
 * A window wholly in the padding gives -Infinity (a runtime -1/0: a literal would be folded
 * differently by each shader compiler) and index -1, as the reference.
 */
export function maxpoolScanSource(p: MaxPool2dParams, ret: 'value' | 'offset'): string {
  const { N, C, inH: H, inW: W, kH, kW, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  return kernelSource(
    ['x'],
    `${unflatten('t', ['pl', 'oy', 'ox'], [N * C, outH, outW])}
let best = -3.4e38;
let bi = -1.0;
let bnan = 0.0;
let y0 = oy * ${lit(strideH)} - ${lit(padTop)};
let x0 = ox * ${lit(strideW)} - ${lit(padLeft)};
for (let ky = 0.0; ky < ${lit(kH)}; ky++) {
  let iy = y0 + ky * ${lit(dilationH)};
  if (iy >= 0.0 && iy < ${lit(H)}) {
    for (let kx = 0.0; kx < ${lit(kW)}; kx++) {
      let ix = x0 + kx * ${lit(dilationW)};
      if (ix >= 0.0 && ix < ${lit(W)}) {
        let v = x[(pl * ${lit(H)} + iy) * ${lit(W)} + ix];
        ${nanFlag('isn', 'v')}
        if (isn > 0.5) {
          best = v; bi = ky * ${lit(kW)} + kx; bnan = 1.0;
        } else if (bnan < 0.5) {
          if (bi < 0.0 || v > best) { best = v; bi = ky * ${lit(kW)} + kx; }
        }
      }
    }
  }
}
if (bi < 0.0) { let z = bi + 1.0; best = -1.0 / z; }
return ${ret === 'value' ? 'best' : 'bi'};`,
  );
}

export async function maxpool2d(rt: GpujsRuntime, x: DataId, p: MaxPool2dParams): Promise<{ y: DataId; indices: DataId }> {
  const size = p.N * p.C * p.outH * p.outW;
  const hx = await rt.f(x);
  const wg = rt.engine.webgpu;
  let y, off;
  if (wg) {
    // webgpu: one WGSL dispatch writes both the values and the window offsets
    [y, off] = await rt.engine.wgsl([{ ...maxpoolJob(p, wg.maxGroups), inputs: [hx] }], [size, size]);
  } else {
    // each of the two kernels loads every window position of every output
    const reads = 4 * size * p.kH * p.kW;
    y = await rt.engine.run('maxpool2d.value', maxpoolScanSource(p, 'value'), size, [hx], reads);
    try {
      off = await rt.engine.run('maxpool2d.index', maxpoolScanSource(p, 'offset'), size, [hx], reads);
    } catch (e) {
      rt.free(y, size);
      throw e;
    }
  }
  const ind = new GData('int32', size);
  ind.handle = off;
  ind.pool = { ...p };
  return { y: rt.out(y, size), indices: rt.add(ind) };
}
