import { checkPoolIndices, type DataId, type MaxPool2dParams } from '@convkit/core';
import { indicesToOffsets, samePool, type GpujsRuntime, type GData } from '../runtime.js';
import { divmod, kernelSource, lit, unflatten } from '../source.js';

/**
 * Gather-form max-pool backward: each input pixel visits the windows that contain it and adds
 * dy of those whose max came from it (offset match), so overlapping windows add up without
 * atomics. Indices from this backend's maxpool2d with the same geometry are used on the device
 * as they are; others (host-written or other geometry) are converted to window offsets on the
 * host, which rejects an index outside its window.
 */
export function maxpoolBackwardSource(p: MaxPool2dParams): string {
  const { N, C, inH: H, inW: W, kH, kW, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  return kernelSource(
    ['dy', 'off'],
    `${unflatten('t', ['pl', 'iy', 'ix'], [N * C, H, W])}
let s = 0.0;
for (let ky = 0.0; ky < ${lit(kH)}; ky++) {
  let numy = iy + ${lit(padTop)} - ky * ${lit(dilationH)};
  ${divmod('oy', 'remy', 'numy', strideH)}
  if (remy == 0.0 && oy >= 0.0 && oy < ${lit(outH)}) {
    for (let kx = 0.0; kx < ${lit(kW)}; kx++) {
      let numx = ix + ${lit(padLeft)} - kx * ${lit(dilationW)};
      ${divmod('ox', 'remx', 'numx', strideW)}
      if (remx == 0.0 && ox >= 0.0 && ox < ${lit(outW)}) {
        let o = (pl * ${lit(outH)} + oy) * ${lit(outW)} + ox;
        if (off[o] == ky * ${lit(kW)} + kx) { s = s + dy[o]; }
      }
    }
  }
}
return s;`,
  );
}

export async function maxpool2dBackward(rt: GpujsRuntime, dy: DataId, indices: DataId, p: MaxPool2dParams): Promise<DataId> {
  const ind = indices as GData;
  const outSize = p.N * p.C * p.outH * p.outW;
  let off;
  let temp = false;
  if (ind.pool && ind.handle && samePool(ind.pool, p)) {
    off = ind.handle;
  } else {
    const host = await rt.readInt(indices);
    // core has checked indices it did not produce; this keeps the error typed for direct callers
    checkPoolIndices('maxpool2dBackward', host, p);
    off = await rt.engine.upload(indicesToOffsets(host, p));
    temp = true;
  }
  try {
    const size = p.N * p.C * p.inH * p.inW;
    return rt.out(await rt.engine.run('maxpool2dBackward', maxpoolBackwardSource(p), size, [await rt.f(dy), off]), size);
  } finally {
    if (temp) rt.free(off, outSize);
  }
}
