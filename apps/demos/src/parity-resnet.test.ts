/**
 * ResNet backend parity: with the same seed, the first CONVKIT_RESNET_PARITY_STEPS (default 20;
 * the documented full check is 100) training losses of the small ResNet (Adam, cosine schedule)
 * on MNIST agree within 1e-3 relative between backend-js and every other backend available here.
 * Batch CONVKIT_RESNET_PARITY_BATCH (default 8), stage channels 4-8-16. A backend that is not
 * available is skipped with its reason; one that lacks a kernel the ResNet needs (ctx.supports,
 * i.e. the backend's kernel table) is skipped with "not implemented: <ops>", never failed.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { createContext, defineBackend, Registry } from '@convkit/core';
import { JsRuntime, jsKernels } from '@convkit/backend-js';
import { contextFor, otherBackends } from './backends.js';
import { loadMnist } from './mnist.js';
import { MODEL_KERNELS, MODEL_NAMES, missingKernels, trainMnist } from './train.js';

/** A context on a backend whose kernel table is js's restricted to `ops`. */
function partialJs(ops: readonly string[]) {
  const kernels = Object.fromEntries(Object.entries(jsKernels).filter(([k]) => ops.includes(k))) as Partial<typeof jsKernels>;
  const descriptor = {
    name: 'js-partial',
    priority: 1,
    optionKeys: [],
    probe: () => true,
    create: () => defineBackend({ name: 'js-partial', engine: 'js', precision: { atol: 1e-4, rtol: 1e-4 }, runtime: new JsRuntime(), kernels: kernels as typeof jsKernels }),
  };
  return createContext({ backend: 'js-partial', registry: new Registry().register(descriptor) });
}

const STEPS = Number(process.env.CONVKIT_RESNET_PARITY_STEPS ?? 20);
const BATCH = Number(process.env.CONVKIT_RESNET_PARITY_BATCH ?? 8);
const REL = 1e-3;
const cfg = { model: 'resnet' as const, resnetChannels: [4, 8, 16], batchSize: BATCH, maxSteps: STEPS, epochs: 1, evalEachEpoch: false, seed: 3, lr: 3e-3, weightDecay: 1e-4 };
/** gpu.js's webasm and headlessgl on a software renderer are ~20x slower than js (see parity.test.ts). */
const SLOW = new Set(['gpujs:webasm', 'gpujs:headlessgl']);
const SLOW_STEPS = Math.min(STEPS, Number(process.env.CONVKIT_PARITY_SLOW_STEPS ?? 10));
const extra = (spec: string) => (spec === 'workers' ? { workers: 2 } : undefined);

interface Row {
  spec: string;
  skip: string | null;
}

/** Each candidate with the reason to skip it: not available here, or kernels missing from its table. */
const rows: Row[] = [];
for (const c of await otherBackends()) {
  if (!c.available) {
    rows.push({ spec: c.spec, skip: c.reason });
    continue;
  }
  let skip: string | null = null;
  try {
    const ctx = await contextFor(c.spec, extra(c.spec));
    try {
      const missing = missingKernels(ctx, 'resnet');
      if (missing.length) skip = `not implemented: ${missing.join(', ')}`;
    } finally {
      await ctx.dispose();
    }
  } catch (e) {
    skip = `cannot start: ${(e as Error).message.split('\n')[0]}`;
  }
  rows.push({ spec: c.spec, skip });
}

let jsLosses: number[] = [];
beforeAll(async () => {
  const ctx = await contextFor('js');
  try {
    jsLosses = (await trainMnist(ctx, loadMnist(), cfg)).losses;
  } finally {
    await ctx.dispose();
  }
}, 300_000);

describe(`resnet parity of the first ${STEPS} MNIST losses (batch ${BATCH}) against backend js`, () => {
  it('js reference run: finite losses that fall, deterministic', async () => {
    expect(jsLosses.length).toBe(STEPS);
    expect(jsLosses.every(Number.isFinite)).toBe(true);
    const k = Math.max(1, Math.floor(STEPS / 4));
    const head = jsLosses.slice(0, k).reduce((a, b) => a + b) / k;
    const tail = jsLosses.slice(-k).reduce((a, b) => a + b) / k;
    expect(tail).toBeLessThan(head);
    const ctx = await contextFor('js');
    const again = await trainMnist(ctx, loadMnist(), { ...cfg, maxSteps: 3 });
    await ctx.dispose();
    expect(again.losses).toEqual(jsLosses.slice(0, 3));
  }, 120_000);

  for (const m of MODEL_NAMES) {
    it(`MODEL_KERNELS.${m} is complete: a backend with only those kernels trains 2 steps, the same losses as js`, async () => {
      const ctx = await partialJs(MODEL_KERNELS[m]);
      const js = await contextFor('js');
      try {
        const o = { ...cfg, model: m, resnetChannels: [2, 4], channels: [2, 4] as [number, number], hidden: 0, maxSteps: 2 };
        const got = await trainMnist(ctx, loadMnist(), o);
        expect(got.losses).toEqual((await trainMnist(js, loadMnist(), o)).losses);
      } finally {
        await ctx.dispose();
        await js.dispose();
      }
    }, 60_000);
  }

  it('a backend missing kernels is refused before training, naming every missing one', async () => {
    const ctx = await partialJs(MODEL_KERNELS.resnet.filter((k) => k !== 'batchNorm2dBackward' && k !== 'globalAvgPool2d'));
    try {
      expect(missingKernels(ctx, 'resnet')).toEqual(['batchNorm2dBackward', 'globalAvgPool2d']);
      await expect(trainMnist(ctx, loadMnist(), cfg)).rejects.toThrow('model resnet on backend js-partial: not implemented: batchNorm2dBackward, globalAvgPool2d');
    } finally {
      await ctx.dispose();
    }
  });

  for (const r of rows) {
    const steps = SLOW.has(r.spec) ? SLOW_STEPS : STEPS;
    it.skipIf(r.skip !== null)(`${r.spec}: first ${steps} losses${r.skip ? ` (skipped: ${r.skip})` : ''}`, async () => {
      const ctx = await contextFor(r.spec, extra(r.spec));
      let losses: number[];
      let engine: string;
      try {
        losses = (await trainMnist(ctx, loadMnist(), { ...cfg, maxSteps: steps })).losses;
        engine = ctx.engine;
      } finally {
        await ctx.dispose();
      }
      expect(losses.length).toBe(steps);
      let worst = 0;
      let at = -1;
      losses.forEach((l, i) => {
        const rel = Math.abs(l - jsLosses[i]!) / Math.abs(jsLosses[i]!);
        if (!(rel <= worst)) {
          worst = rel;
          at = i;
        }
      });
      if (!(worst <= REL)) {
        throw new Error(`${r.spec} (engine ${engine}): step ${at} loss ${losses[at]} vs js ${jsLosses[at]} (relative ${worst.toExponential(2)} > ${REL})`);
      }
      expect(worst).toBeLessThanOrEqual(REL);
    }, 300_000);
  }
});
