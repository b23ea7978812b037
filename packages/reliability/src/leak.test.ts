/**
 * Leaks (issue 8, part 5): N training steps of a conv-relu-pool-dense-xent-sgd net written with
 * Context ops, on every backend; the live tensor count, the context's data ids and every number
 * the backend reports in memory() (data ids, bytes, textures/buffers, kernels, workers, scratch)
 * must be exactly flat from the end of a short warm-up to the last step, checked at ten points.
 *
 * Steps: 10000 on every target (the issue's number; about 80 s for all five targets on 2 cores),
 * CONVKIT_LEAK_STEPS to change it. gpujs-webgpu (WebGPU in Node, SwiftShader in CI) takes
 * CONVKIT_LEAK_WEBGPU_STEPS (default 500, about 25 s): each step waits for asynchronous readbacks (mapAsync)
 * on a CPU rasteriser.
 */
import { describe, expect, it } from 'vitest';
import type { Context } from '@convkit/core';
import { describeLoaded, loadAll } from './backends.js';
import { disposeNet, tinyNet, trainStep } from './train.js';
import { record } from './summary.js';
import { knownIssue } from './known.js';

const DEFAULT_STEPS: Record<string, number> = { js: 10000, workers: 10000, wasm: 10000, 'gpujs-webasm': 10000, 'gpujs-headlessgl': 10000, 'gpujs-webgpu': Number(process.env.CONVKIT_LEAK_WEBGPU_STEPS ?? 500) };
const envSteps = process.env.CONVKIT_LEAK_STEPS ? Number(process.env.CONVKIT_LEAK_STEPS) : undefined;
if (envSteps !== undefined && (!Number.isInteger(envSteps) || envSteps < 20)) throw new Error(`CONVKIT_LEAK_STEPS must be an integer >= 20`);

const loaded = await loadAll(undefined, { optIn: true });
for (const l of loaded) console.log(`[reliability leak] ${describeLoaded(l)}`);

type Snap = Record<string, number>;
// gpujs's device counters (backend-gpujs src/webgpu/stats.ts DeviceStats): events, not memory
const COUNTERS = new Set(['launches', 'readbacks', 'readCopies', 'mapAsyncs', 'hostCopies', 'uploads', 'bytesRead', 'bytesWritten', 'threads', 'outputs']);
function snap(ctx: Context): Snap {
  const m = ctx.memory();
  const out: Snap = { tensors: m.tensors, dataIds: m.dataIds };
  for (const [k, v] of Object.entries(m.backend)) {
    // launches, readbacks, bytes moved, ... (gpujs) are event counters, not memory: they grow by design
    if (typeof v === 'number' && !COUNTERS.has(k)) out[`backend.${k}`] = v;
  }
  return out;
}
const diff = (a: Snap, b: Snap, keep: (k: string) => boolean = () => true) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => keep(k) && a[k] !== b[k])
    .map((k) => `${k} ${a[k]} -> ${b[k]}`)
    .join(', ');

for (const l of loaded) {
  const t = l.target;
  const steps = envSteps ?? DEFAULT_STEPS[t.id] ?? 100;
  if (l.skip) {
    describe(`leak ${t.id}`, () => it.skip(`skipped: ${l.skip}`, () => {}));
    record({ kind: 'skip', target: t.id, reason: l.skip, suite: 'leak' });
    continue;
  }
  describe(`leak ${t.id}`, () => {
    it(`${steps} training steps: live tensors and backend memory stay flat, the loss goes down`, async () => {
      const ctx = await l.make!();
      let flat = false;
      let detail = '';
      let knownNote = '';
      try {
        const empty = snap(ctx);
        const net = tinyNet(ctx);
        const warm = Math.min(20, Math.floor(steps / 10));
        const first = await trainStep(net);
        for (let i = 1; i < warm; i++) await trainStep(net);
        const base = snap(ctx);
        const heap0 = process.memoryUsage().heapUsed;
        const every = Math.max(1, Math.floor((steps - warm) / 10));
        const known = knownIssue(t.id, 'leak');
        const tolerated = new Set(known?.keys ?? []);
        const drift: string[] = [];
        const knownDrift: string[] = [];
        let last = first;
        for (let i = warm; i < steps; i++) {
          last = await trainStep(net);
          if ((i - warm + 1) % every === 0 || i === steps - 1) {
            const now = snap(ctx);
            const d = diff(base, now, (k) => !tolerated.has(k));
            if (d) drift.push(`after step ${i + 1}: ${d}`);
            const kd = diff(base, now, (k) => tolerated.has(k));
            if (kd) knownDrift.push(`after step ${i + 1}: ${kd}`);
          }
        }
        const heapMB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
        detail = drift.join('; ');
        if (known && knownDrift.length) {
          knownNote = `KNOWN ISSUE ${known.id}: ${knownDrift[knownDrift.length - 1]}`;
          console.warn(`[reliability leak] ${t.id}: ${knownNote} (${known.symptom})`);
        } else if (known) {
          knownNote = `known issue ${known.id} no longer seen: remove it from src/known.ts`;
          console.warn(`[reliability leak] ${t.id}: ${knownNote}`);
        }
        console.log(
          `[reliability leak] ${t.id}: ${steps} steps, loss ${first.toFixed(4)} -> ${last.toFixed(4)}, memory ${JSON.stringify(base)}, ` +
            `JS heap change ${heapMB.toFixed(1)} MB (GC-dependent, not asserted)`,
        );
        expect(drift, `memory drifted: ${detail}`).toEqual([]);
        expect(Number.isFinite(last)).toBe(true);
        expect(last, 'the tiny net should overfit its fixed batch').toBeLessThan(first);
        disposeNet(net);
        // and everything goes back to the empty context
        // storage goes back to the empty context's (caches such as compiled kernels or scratch may stay)
        const storage = (x: Snap) =>
          Object.fromEntries(Object.entries(x).filter(([k]) => /^(tensors|dataIds|backend\.(dataIds|bytes|textures|buffers))$/.test(k)));
        expect(diff(storage(empty), storage(snap(ctx))), 'after disposing the net').toBe('');
        flat = true;
      } finally {
        record({ kind: 'leak', target: t.id, steps, flat, detail: detail.split('; ').pop() || 'see test output', known: knownNote || undefined });
        await ctx.dispose();
      }
    });
  });
}
