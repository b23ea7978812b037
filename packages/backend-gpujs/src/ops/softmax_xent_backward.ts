import type { DataId, SoftmaxXentParams } from '@convkit/core';
import type { Device } from '../device.js';
import { divmod, kernelSource, lit } from '../source.js';

/** dlogits = (probs - onehot(labels)) / n. */
export async function softmaxCrossEntropyBackward(
  d: Device,
  probs: DataId,
  labels: DataId,
  p: SoftmaxXentParams,
): Promise<DataId> {
  const { n, classes: K } = p;
  const hp = await d.f(probs);
  const hl = await d.labels(labels);
  try {
    const src = kernelSource(
      ['pr', 'lab'],
      `${divmod('row', 'col', 't', K)}
let oh = 0.0; if (lab[row] == col) { oh = 1.0; }
return (pr[t] - oh) / ${lit(n)};`,
    );
    return d.out(await d.engine.run('softmaxCrossEntropyBackward', src, n * K, [hp, hl]), n * K);
  } finally {
    d.free(hl, n);
  }
}
