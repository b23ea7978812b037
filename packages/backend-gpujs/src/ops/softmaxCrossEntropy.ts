import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { divmod, kernelSource, lit } from '../source.js';
import { softmaxXentJobs } from '../webgpu/kernels.js';

/**
 * probs = row softmax of logits (max subtracted); loss = mean over rows of
 * log(sum exp(x - max)) - (x[label] - max). A label outside [0, classes) gives NaN, as the
 * reference. Two kernels; the loss kernel is one thread looping over the batch. On webgpu one WGSL
 * op (webgpu/kernels.ts softmaxXentJobs: rows, then the loss, in one pass) whose NaN / Infinity
 * handling is decided on bit patterns: a WGSL compiler may assume finite floats, so the gpu.js
 * kernels' comparisons do not see a NaN or +Infinity logit there.
 */
export async function softmaxCrossEntropy(
  rt: GpujsRuntime,
  logits: DataId,
  labels: DataId,
  p: SoftmaxXentParams,
): Promise<{ loss: DataId; probs: DataId }> {
  const { n, classes: K } = p;
  const hx = await rt.f(logits);
  const wg = rt.engine.webgpu;
  if (wg && n > 0 && K > 0) {
    // labels first (range-checked, uploaded as small floats), so a bad label allocates nothing
    const hl = await rt.labels(labels);
    try {
      const [probs, terms, loss] = await rt.engine.wgsl(
        softmaxXentJobs(n, K, wg.maxGroups).map((j, i) => (i === 0 ? { ...j, inputs: [hx, hl] } : j)),
        [n * K, n, 1],
      );
      rt.free(terms, n);
      return { loss: rt.out(loss, 1), probs: rt.out(probs, n * K) };
    } finally {
      rt.free(hl, n);
    }
  }
  const rowMax = (row: string) =>
    `let mx = -3.0e38; for (let j = 0.0; j < ${lit(K)}; j++) { let v = x[${row} * ${lit(K)} + j]; if (v > mx) { mx = v; } }`;
  const probsSrc = kernelSource(
    ['x'],
    `${divmod('row', 'col', 't', K)}
${rowMax('row')}
let s = 0.0; for (let j = 0.0; j < ${lit(K)}; j++) { s = s + Math.exp(x[row * ${lit(K)} + j] - mx); }
return Math.exp(x[t] - mx) / s;`,
  );
  const probs = await rt.engine.run('softmaxCrossEntropy.probs', probsSrc, n * K, [hx]);
  let hl;
  try {
    hl = await rt.labels(labels);
  } catch (e) {
    rt.free(probs, n * K);
    throw e;
  }
  try {
    const lossSrc = kernelSource(
      ['x', 'lab'],
      `let total = 0.0;
for (let row = 0.0; row < ${lit(n)}; row++) {
  ${rowMax('row')}
  let s = 0.0; for (let j = 0.0; j < ${lit(K)}; j++) { s = s + Math.exp(x[row * ${lit(K)} + j] - mx); }
  let l = lab[row];
  if (l >= 0.0 && l < ${lit(K)}) { total = total + Math.log(s) - (x[row * ${lit(K)} + l] - mx); } else { let z = l - l; total = total + z / z; }
}
return total / ${lit(n)} + t * 0.0;`,
    );
    const loss = await rt.engine.run('softmaxCrossEntropy.loss', lossSrc, 1, [hx, hl]);
    return { loss: rt.out(loss, 1), probs: rt.out(probs, n * K) };
  } catch (e) {
    rt.free(probs, n * K);
    throw e;
  } finally {
    rt.free(hl, n);
  }
}
