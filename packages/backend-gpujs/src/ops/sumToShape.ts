import type { DataId, SumToShapeParams } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { sumRows } from '../reduce.js';
import { divmod, fresh, kernelSource, lit } from '../source.js';
import { sumToShapeJob } from '../webgpu/cnn.js';

/**
 * y = alpha * x summed over the broadcast axes, as row sums: row r is an element of y (its
 * coordinate along a kept axis of x is (r / yStride) % size), j runs row-major over the reduced
 * axes. webgpu: one dispatch (cnn.ts rowSumJob: a workgroup per long row, lane partials + tree);
 * GL / webasm: the chunked sum tree of reduce.ts. Nothing reduced: a scaled copy.
 */
export async function sumToShape(rt: GpujsRuntime, x: DataId, p: SumToShapeParams): Promise<DataId> {
  const { shape, strides, size, outSize, alpha } = p;
  const hx = await rt.f(x);
  const wg = rt.engine.webgpu;
  if (wg) {
    const [y] = await rt.engine.wgsl([{ ...sumToShapeJob(p, wg.maxGroups), inputs: [hx] }], [outSize]);
    return rt.out(y, outSize);
  }
  if (shape.length === 0 || outSize === size) {
    const src = kernelSource(['x'], `return x[t] * ${lit(alpha)};`);
    return rt.out(await rt.engine.run('sumToShape.copy', src, size, [hx]), size);
  }
  const xs: number[] = new Array(shape.length);
  let st = 1;
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    xs[ax] = st;
    st *= shape[ax]!;
  }
  const term = (r: string, j: string) => {
    const parts: string[] = [];
    const terms: string[] = [];
    let restJ = j;
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      const n = shape[ax]!;
      if (n === 1) continue;
      const c = fresh('sc');
      if (strides[ax] !== 0) {
        // (r / yStride) % n, exactly
        const q0 = fresh('sq');
        const r0 = fresh('sr');
        const q1 = fresh('sq');
        parts.push(divmod(q0, r0, r, strides[ax]!), divmod(q1, c, q0, n));
      } else {
        const q = fresh('sq');
        parts.push(divmod(q, c, restJ, n));
        restJ = q;
      }
      terms.push(`${c} * ${lit(xs[ax]!)}`);
    }
    return `${parts.join('\n')}\nlet v = x[${terms.length ? terms.join(' + ') : '0.0'}];`;
  };
  const y = await sumRows(rt, 'sumToShape', outSize, size / outSize, { names: ['x'], handles: [hx] }, term, alpha);
  return rt.out(y, outSize);
}
