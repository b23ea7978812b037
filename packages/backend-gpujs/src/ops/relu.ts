import type { DataId } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { kernelSource, nanFlag } from '../source.js';

/**
 * y = x < 0 ? 0 : x (NaN stays NaN, as the reference). NaN is tested first (nanFlag): some GL
 * compilers (ANGLE on Mesa) answer NaN < 0 with true.
 */
export async function relu(rt: GpujsRuntime, x: DataId, size: number): Promise<DataId> {
  const src = kernelSource(['x'], `let v = x[t]; ${nanFlag('isn', 'v')} let r = v; if (isn < 0.5) { if (v < 0.0) { r = 0.0; } } return r;`);
  return rt.out(await rt.engine.run('relu', src, size, [await rt.f(x)]), size);
}
