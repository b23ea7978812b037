import type { BatchNorm2dParams, BatchNorm2dResult, DataId } from '@convkit/core';
import type { Handle } from '../engine.js';
import type { GpujsRuntime } from '../runtime.js';
import { sumRows } from '../reduce.js';
import { divmod, kernelSource, lit } from '../source.js';
import { batchNormJob } from '../webgpu/cnn.js';

/** Kernel source declaring `v` = x[element m of channel c] of x [N, C, P] (m < N*P, exact divmod). */
export function channelTerm(C: number, P: number, arr: string, c: string, m: string): string {
  return `${divmod('bn', 'bq', m, P)}\nlet v = ${arr}[(bn * ${lit(C)} + ${c}) * ${lit(P)} + bq];`;
}

/**
 * Batch norm of x [N, C, H, W] per channel. Training: batch mean and biased variance (two passes:
 * the sum, then the sum of squared deviations from the mean) and, with running statistics given,
 * their update (PyTorch: unbiased variance; ONNX: biased). Inference: the running statistics.
 * webgpu: one dispatch (training: a workgroup per channel; inference: elementwise). GL / webasm:
 * the chunked sum trees of reduce.ts for the statistics, one kernel for y, one per running statistic.
 */
export async function batchNorm2d(
  rt: GpujsRuntime,
  x: DataId,
  gamma: DataId | null,
  beta: DataId | null,
  runningMean: DataId | null,
  runningVar: DataId | null,
  p: BatchNorm2dParams,
): Promise<BatchNorm2dResult> {
  const { N, C, H, W, eps, momentum, training, momentumMode } = p;
  const P = H * W;
  const M = N * P;
  const size = N * C * P;
  const running = runningMean !== null && runningVar !== null;
  const update = training && running;
  const hx = await rt.f(x);
  const hg = gamma ? await rt.f(gamma) : null;
  const hb = beta ? await rt.f(beta) : null;
  const hrm = running ? await rt.f(runningMean!) : null;
  const hrv = running ? await rt.f(runningVar!) : null;
  const wg = rt.engine.webgpu;
  if (wg) {
    const inputs = [hx, ...(hg ? [hg] : []), ...(hb ? [hb] : []), ...(running ? [hrm, hrv] : [])];
    const outs = await rt.engine.wgsl([{ ...batchNormJob(p, !!hg, !!hb, running, wg.maxGroups), inputs }], update ? [size, C, C] : [size]);
    return { y: rt.out(outs[0], size), runningMean: update ? rt.out(outs[1], C) : null, runningVar: update ? rt.out(outs[2], C) : null };
  }
  const affine = (names: string[], handles: Handle[]) => {
    if (hg) (names.push('g'), handles.push(hg));
    if (hb) (names.push('b'), handles.push(hb));
  };
  // intermediates, freed at the end; outputs, freed only if a later kernel fails
  const temps: [Handle, number][] = [];
  const made: [Handle, number][] = [];
  try {
    let mean: Handle;
    let ss: Handle | null = null;
    if (training) {
      mean = await sumRows(rt, 'batchNorm2d.mean', C, M, { names: ['x'], handles: [hx] }, (r, j) => channelTerm(C, P, 'x', r, j), 1 / M);
      temps.push([mean, C]);
      ss = await sumRows(
        rt,
        'batchNorm2d.var',
        C,
        M,
        { names: ['x', 'mu'], handles: [hx, mean] },
        (r, j) => `${channelTerm(C, P, 'x', r, j).replace('let v =', 'let xv =')}\nlet d = xv - mu[${r}]; let v = d * d;`,
        1,
      );
      temps.push([ss, C]);
    } else {
      mean = hrm;
    }
    const names = ['x', 'mu', 'va'];
    const handles: Handle[] = [hx, mean, training ? ss : hrv];
    affine(names, handles);
    const ySrc = kernelSource(
      names,
      `${divmod('q0', 'q1', 't', P)}
${divmod('q2', 'c', 'q0', C)}
let va0 = va[c]${training ? ` / ${lit(M)}` : ''};
let k = ${hg ? 'g[c]' : '1.0'} / Math.sqrt(va0 + ${lit(eps)});
return k * (x[t] - mu[c]) + ${hb ? 'b[c]' : '0.0'};`,
    );
    const y = await rt.engine.run('batchNorm2d.y', ySrc, size, handles, 4 * (size + 4 * size));
    made.push([y, size]);
    if (!update) return { y: rt.out(y, size), runningMean: null, runningVar: null };
    const mom = momentumMode === 'pytorch' ? { old: 1 - momentum, batch: momentum } : { old: momentum, batch: 1 - momentum };
    const rmSrc = kernelSource(['r', 'mu'], `return ${lit(mom.old)} * r[t] + ${lit(mom.batch)} * mu[t];`);
    const nrm = await rt.engine.run('batchNorm2d.runningMean', rmSrc, C, [hrm, mean]);
    made.push([nrm, C]);
    const den = momentumMode === 'pytorch' ? M - 1 : M;
    const vr = den > 0 ? `q[t] / ${lit(den)}` : '(q[t] - q[t]) / (q[t] - q[t])';
    const rvSrc = kernelSource(['r', 'q'], `let vr = ${vr}; return ${lit(mom.old)} * r[t] + ${lit(mom.batch)} * vr;`);
    const nrv = await rt.engine.run('batchNorm2d.runningVar', rvSrc, C, [hrv, ss]);
    return { y: rt.out(y, size), runningMean: rt.out(nrm, C), runningVar: rt.out(nrv, C) };
  } catch (e) {
    for (const [h, n] of made) rt.free(h, n);
    throw e;
  } finally {
    for (const [h, n] of temps) rt.free(h, n);
  }
}
