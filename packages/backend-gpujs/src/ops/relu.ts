import type { DataId } from '@convkit/core';
import type { Device } from '../device.js';
import { kernelSource, nanFlag } from '../source.js';

/**
 * y = x < 0 ? 0 : x (NaN stays NaN, as the reference). NaN is tested first (nanFlag): some GL
 * compilers (ANGLE on Mesa) answer NaN < 0 with true.
 */
export async function relu(d: Device, x: DataId, size: number): Promise<DataId> {
  const src = kernelSource(['x'], `let v = x[t]; ${nanFlag('isn', 'v')} let r = v; if (isn < 0.5) { if (v < 0.0) { r = 0.0; } } return r;`);
  return d.out(await d.engine.run('relu', src, size, [await d.f(x)]), size);
}
