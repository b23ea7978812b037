import type { BatchNorm2dBackwardParams, DataId } from '@convkit/core';
import type { Handle } from '../engine.js';
import type { GpujsRuntime } from '../runtime.js';
import { sumRows } from '../reduce.js';
import { divmod, kernelSource, lit } from '../source.js';
import { batchNormBackwardJob } from '../webgpu/cnn.js';
import { channelTerm } from './batchNorm2d.js';

/**
 * Training-mode gradients of batchNorm2d from the batch statistics of x: dbeta = sum(dy),
 * dgamma = sum(dy * xhat), dx = gamma * inv * (dy - mean(dy) - xhat * mean(dy * xhat)) per channel.
 * webgpu: one dispatch (a workgroup per channel). GL / webasm: chunked sum trees (reduce.ts) for
 * the mean, the variance, sum(dy) and sum(dy * xhat), then one kernel for dx.
 */
export async function batchNorm2dBackward(
  rt: GpujsRuntime,
  x: DataId,
  dy: DataId,
  gamma: DataId | null,
  p: BatchNorm2dBackwardParams,
): Promise<{ dx: DataId; dgamma: DataId; dbeta: DataId }> {
  const { N, C, H, W, eps } = p;
  const P = H * W;
  const M = N * P;
  const size = N * C * P;
  const hx = await rt.f(x);
  const hd = await rt.f(dy);
  const hg = gamma ? await rt.f(gamma) : null;
  const wg = rt.engine.webgpu;
  if (wg) {
    const [dx, dg, db] = await rt.engine.wgsl([{ ...batchNormBackwardJob(p, !!hg, wg.maxGroups), inputs: [hx, hd, ...(hg ? [hg] : [])] }], [size, C, C]);
    return { dx: rt.out(dx, size), dgamma: rt.out(dg, C), dbeta: rt.out(db, C) };
  }
  const temps: [Handle, number][] = [];
  const made: [Handle, number][] = [];
  const inv = (r: string) => `let iv = 1.0 / Math.sqrt(ss[${r}] / ${lit(M)} + ${lit(eps)});`;
  try {
    const mean = await sumRows(rt, 'batchNorm2dBackward.mean', C, M, { names: ['x'], handles: [hx] }, (r, j) => channelTerm(C, P, 'x', r, j), 1 / M);
    temps.push([mean, C]);
    const ss = await sumRows(
      rt,
      'batchNorm2dBackward.var',
      C,
      M,
      { names: ['x', 'mu'], handles: [hx, mean] },
      (r, j) => `${channelTerm(C, P, 'x', r, j).replace('let v =', 'let xv =')}\nlet d = xv - mu[${r}]; let v = d * d;`,
      1,
    );
    temps.push([ss, C]);
    const dbeta = await sumRows(rt, 'batchNorm2dBackward.dbeta', C, M, { names: ['dy'], handles: [hd] }, (r, j) => channelTerm(C, P, 'dy', r, j), 1);
    made.push([dbeta, C]);
    const dgamma = await sumRows(
      rt,
      'batchNorm2dBackward.dgamma',
      C,
      M,
      { names: ['x', 'dy', 'mu', 'ss'], handles: [hx, hd, mean, ss] },
      (r, j) =>
        `${divmod('bn', 'bq', j, P)}
let bi = (bn * ${lit(C)} + ${r}) * ${lit(P)} + bq;
${inv(r)}
let v = dy[bi] * (x[bi] - mu[${r}]) * iv;`,
      1,
    );
    made.push([dgamma, C]);
    const names = ['x', 'dy', 'mu', 'ss', 'sb', 'sg', ...(hg ? ['g'] : [])];
    const dxSrc = kernelSource(
      names,
      `${divmod('q0', 'q1', 't', P)}
${divmod('q2', 'c', 'q0', C)}
${inv('c')}
let k = ${hg ? 'g[c]' : '1.0'} * iv;
return k * (dy[t] - sb[c] / ${lit(M)} - (x[t] - mu[c]) * iv * (sg[c] / ${lit(M)}));`,
    );
    const dx = await rt.engine.run('batchNorm2dBackward.dx', dxSrc, size, [hx, hd, mean, ss, dbeta, dgamma, ...(hg ? [hg] : [])], 4 * (2 * size + 5 * size));
    return { dx: rt.out(dx, size), dgamma: rt.out(dgamma, C), dbeta: rt.out(dbeta, C) };
  } catch (e) {
    for (const [h, n] of made) rt.free(h, n);
    throw e;
  } finally {
    for (const [h, n] of temps) rt.free(h, n);
  }
}
