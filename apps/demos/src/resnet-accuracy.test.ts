/**
 * The ResNet accuracy claim, as a test that CI skips: with CONVKIT_RESNET_EPOCHS=<n> set, trains
 * the small ResNet (defaults of `pnpm train --model resnet`: stages 16-32-64, Adam 2e-3 with L2
 * 5e-4, cosine, batch 32, shifts of up to 2 px) for n epochs (the documented run: 10, on wasm) on
 * CONVKIT_RESNET_BACKEND (default js) and requires >= 98.5 % held-out accuracy. Without it, only
 * the skipped test's name says how to run it (training to convergence is minutes, not CI time).
 */
import { describe, expect, it } from 'vitest';
import { contextFor } from './backends.js';
import { loadMnist } from './mnist.js';
import { trainMnist } from './train.js';

const EPOCHS = Number(process.env.CONVKIT_RESNET_EPOCHS ?? 0);
const BACKEND = process.env.CONVKIT_RESNET_BACKEND ?? 'js';

describe('small ResNet on MNIST', () => {
  it.skipIf(!(EPOCHS > 0))(
    `reaches >= 98.5 % test accuracy on ${BACKEND}${EPOCHS > 0 ? ` in ${EPOCHS} epochs` : ' (skipped: set CONVKIT_RESNET_EPOCHS=10 to train; minutes)'}`,
    async () => {
      const ctx = await contextFor(BACKEND, BACKEND === 'workers' ? { workers: 2 } : undefined);
      try {
        const r = await trainMnist(ctx, loadMnist(), { model: 'resnet', epochs: EPOCHS, evalEachEpoch: false });
        console.log(`resnet on ${BACKEND} (engine ${ctx.engine}): ${(r.testAccuracy * 100).toFixed(2)} % after ${r.steps} steps, ${r.seconds.toFixed(0)} s`);
        expect(r.testAccuracy).toBeGreaterThanOrEqual(0.985);
      } finally {
        await ctx.dispose();
      }
    },
    3 * 3600_000,
  );
});
