import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { divmod, kernelSource, lit } from '../source.js';

/** dlogits = (probs - onehot(labels)) / n. */
export async function softmaxCrossEntropyBackward(
  rt: GpujsRuntime,
  probs: DataId,
  labels: DataId,
  p: SoftmaxXentParams,
): Promise<DataId> {
  const { n, classes: K } = p;
  const hp = await rt.f(probs);
  const hl = await rt.labels(labels);
  try {
    const src = kernelSource(
      ['pr', 'lab'],
      `${divmod('row', 'col', 't', K)}
let oh = 0.0; if (lab[row] == col) { oh = 1.0; }
return (pr[t] - oh) / ${lit(n)};`,
    );
    return rt.out(await rt.engine.run('softmaxCrossEntropyBackward', src, n * K, [hp, hl]), n * K);
  } finally {
    rt.free(hl, n);
  }
}
