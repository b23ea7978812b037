import type { AxisParams, DataId } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { divmod, kernelSource, lit, nanFlag } from '../source.js';
import { softmaxJob } from '../webgpu/cnn.js';

/** Kernel source declaring `base`, the flat index of element 0 of slice `sl` of [outer, len, inner]. */
export function sliceBase(p: AxisParams, sl: string): string {
  return `${divmod('so', 'si', sl, p.inner)}\nlet base = so * ${lit(p.len * p.inner)} + si;`;
}

/**
 * Softmax (log false) or log-softmax (log true) along the axis of x viewed as [outer, len, inner],
 * max subtracted. webgpu: one dispatch (cnn.ts softmaxJob: a workgroup per long slice with tree
 * reductions, specials decided on bit patterns). GL / webasm: three kernels: the slice maxima
 * (NaN when the slice has a NaN, which then makes the whole slice NaN, as the reference), the
 * slice sums of exp(x - max), in order, and the outputs.
 */
export async function softmaxAxis(rt: GpujsRuntime, x: DataId, p: AxisParams, log: boolean): Promise<DataId> {
  const { outer, len, inner } = p;
  const size = outer * len * inner;
  const S = outer * inner;
  const hx = await rt.f(x);
  const name = log ? 'logSoftmax' : 'softmax';
  const wg = rt.engine.webgpu;
  if (wg) {
    const [y] = await rt.engine.wgsl([{ ...softmaxJob(p, log, wg.maxGroups), inputs: [hx] }], [size]);
    return rt.out(y, size);
  }
  const at = (j: string) => `x[base + ${j} * ${lit(inner)}]`;
  const maxSrc = kernelSource(
    ['x'],
    `${sliceBase(p, 't')}
let mx = -3.4e38; let bad = 0.0;
for (let j = 0.0; j < ${lit(len)}; j++) { let v = ${at('j')}; ${nanFlag('isn', 'v')} if (isn > 0.5) { bad = 1.0; } else if (v > mx) { mx = v; } }
let r = mx;
if (bad > 0.5) { let z = bad - bad; r = z / z; }
return r;`,
  );
  const mx = await rt.engine.run(`${name}.max`, maxSrc, S, [hx], 4 * size);
  let sm;
  try {
    const sumSrc = kernelSource(
      ['x', 'm'],
      `${sliceBase(p, 't')}
let mv = m[t]; let s = 0.0;
for (let j = 0.0; j < ${lit(len)}; j++) { s = s + Math.exp(${at('j')} - mv); }
return s;`,
    );
    sm = await rt.engine.run(`${name}.sum`, sumSrc, S, [hx, mx], 4 * size);
    const outSrc = kernelSource(
      ['x', 'm', 's'],
      `${divmod('o', 'rest', 't', len * inner)}
${divmod('j', 'i', 'rest', inner)}
let sl = o * ${lit(inner)} + i;
let d = x[t] - m[sl];
return ${log ? 'd - Math.log(s[sl])' : 'Math.exp(d) / s[sl]'};`,
    );
    return rt.out(await rt.engine.run(name, outSrc, size, [hx, mx, sm], 4 * 3 * size), size);
  } finally {
    rt.free(mx, S);
    if (sm) rt.free(sm, S);
  }
}

export function softmax(rt: GpujsRuntime, x: DataId, p: AxisParams): Promise<DataId> {
  return softmaxAxis(rt, x, p, false);
}
