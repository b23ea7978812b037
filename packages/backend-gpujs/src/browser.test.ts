/**
 * The conformance suite in headless Chromium (system /usr/bin/chromium via playwright-core, flags
 * for WebGL2 / WebGL / WebGPU on SwiftShader), one page per mode, asserting every case's result
 * and that the mode that really ran is the one asked for. Also the WEBGL_lose_context path.
 *
 * Every mode runs the full list of own cases and the whole shared golden set by default, except
 * webgpu's golden set: every 4th case per op here (see everyFor); CONVKIT_GPUJS_BROWSER_LEVEL=quick
 * and CONVKIT_GPUJS_BROWSER_GOLDEN_EVERY=n (every n-th case per op, every mode) set it by hand.
 * Skipped, loudly, only when no Chromium is installed (CONVKIT_CHROMIUM overrides the path).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, CHROMIUM, type Harness } from './testing/harness.js';
import { goldenDir } from './testing/node-env.js';
import type { CaseResult, Level } from './testing/cases.js';
import { goldenDir as conformanceGoldenDir } from '@convkit/conformance';

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`\n[backend-gpujs] !!! browser tests SKIPPED: no Chromium at ${CHROMIUM}\n`);
const level = (process.env.CONVKIT_GPUJS_BROWSER_LEVEL as Level | undefined) ?? 'full';
/** every n-th case per op of the shared golden set (SwiftShader compiles each new shader slowly) */
const everyEnv = process.env.CONVKIT_GPUJS_BROWSER_GOLDEN_EVERY;
/**
 * Per mode. webgpu defaults to every 4th case: its WGSL kernels compile one pipeline per shape, and
 * Chromium's SwiftShader takes over 3 minutes for the whole set on 2 cores; the same WGSL kernels
 * run the whole set in Node (golden.node.test.ts, mode webgpu, on Dawn + SwiftShader). Setting
 * webgl (WebGL1) runs the even cases per op; Node's headlessgl (the same WebGL1 kernels) runs the odd
 * ones (golden.node.test.ts). CONVKIT_GPUJS_BROWSER_GOLDEN_EVERY=1 runs everything everywhere.
 */
const everyFor = (mode: string): number => Math.max(1, Number(everyEnv ?? (mode === 'webgpu' ? 4 : mode === 'webgl' ? 2 : 1)));

type Suite = {
  run(mode: string, level: Level, large: number[]): Promise<{ engine: string; renderer: string; software: boolean; results: CaseResult[] }>;
  golden(mode: string, every: number): Promise<{ engine: string; total: number; results: { id: string; status: string; message: string; engine: string; supported: boolean }[] }>;
  lostContext(mode: string): Promise<{ before: number[]; opError: string; readError: string; hostRead: number[]; otherError: string }>;
  probe(): Promise<{ mode: string; available: boolean; reason: string }[]>;
};

describe.skipIf(!haveChromium)('gpujs in Chromium', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(goldenDir(), conformanceGoldenDir());
  });
  afterAll(async () => {
    await h?.close();
  });

  async function page(): Promise<Page> {
    const p = await h.browser.newPage();
    p.on('pageerror', (e) => console.error('[page error]', e.message));
    await p.goto(h.url);
    await p.waitForFunction(() => (globalThis as { gpujsSuite?: unknown }).gpujsSuite !== undefined);
    return p;
  }

  it('the page sees webgl2, webgl, a WebGPU adapter and wasm', async () => {
    const p = await page();
    const probes = await p.evaluate(() => (globalThis as unknown as { gpujsSuite: Suite }).gpujsSuite.probe());
    await p.close();
    const by = Object.fromEntries(probes.map((q) => [q.mode, q]));
    for (const m of ['webgl2', 'webgl', 'webgpu', 'webasm']) expect(by[m]?.available, `${m}: ${by[m]?.reason}`).toBe(true);
    expect(by.headlessgl?.available).toBe(false);
  });

  for (const mode of ['webgl2', 'webgl', 'webgpu', 'webasm'] as const) {
    it(`conformance on ${mode} (${level === 'full' ? 'all own cases' : 'quick subset'}) runs on ${mode}`, async () => {
      const p = await page();
      try {
        const r = await p.evaluate(([m, l]) => (globalThis as unknown as { gpujsSuite: Suite }).gpujsSuite.run(m, l as Level, [1, 4, 96, 180]), [mode, level] as const);
        console.log(`[backend-gpujs] ${mode}: ${r.results.length} cases on ${r.engine} (${r.renderer}${r.software ? ', software' : ''})`);
        expect(r.engine).toBe(mode);
        const failed = r.results.filter((c) => !c.ok);
        for (const c of r.results.filter((c) => c.skipped)) console.warn(`[backend-gpujs] ${mode}: ${c.name}: ${c.detail}`);
        expect(failed.map((c) => `${c.name}: ${c.detail.slice(0, 600)}`)).toEqual([]);
        for (const c of r.results) expect(c.engine).toBe(mode);
        expect(r.results.length).toBeGreaterThan(20);
      } finally {
        await p.close();
      }
    });
  }

  for (const mode of ['webgl2', 'webgl', 'webgpu', 'webasm'] as const) {
    const every = everyFor(mode);
    it(`shared golden set on ${mode} (${every === 1 ? 'all cases' : `every ${every}th case per op`}) runs on ${mode}`, async () => {
      const p = await page();
      try {
        const r = await p.evaluate(([m, e]) => (globalThis as unknown as { gpujsSuite: Suite }).gpujsSuite.golden(m as string, e as number), [mode, every] as const);
        const skipped = r.results.filter((c) => c.status === 'skipped');
        console.log(`[backend-gpujs] ${mode}: ${r.results.length} of ${r.total} golden cases, ${skipped.length} skipped${skipped.length ? ` (${skipped[0]!.message})` : ''}`);
        expect(r.engine).toBe(mode);
        // a case of an op outside gpujs's kernel table must say not-implemented; every other case passes
        const wrong = (c: (typeof r.results)[number]) => (c.supported ? c.status !== 'pass' && c.status !== 'skipped' : c.status !== 'not-implemented');
        expect(r.results.filter(wrong).map((c) => `${c.id}: ${c.status} ${c.message}`)).toEqual([]);
        for (const c of r.results) if (c.supported) expect(c.engine, c.id).toBe(mode);
        if (every === 1) expect(r.results.length).toBe(r.total);
        else expect(r.results.length).toBeGreaterThanOrEqual(Math.floor(r.total / every) - 20);
      } finally {
        await p.close();
      }
    });
  }

  for (const mode of ['webgl2', 'webgl', 'webgpu'] as const) {
    it(`${mode === 'webgpu' ? 'GPUDevice.destroy()' : 'WEBGL_lose_context'} on ${mode}: clear error on the next op and read, never stale data`, async () => {
      const p = await page();
      try {
        const r = await p.evaluate((m) => (globalThis as unknown as { gpujsSuite: Suite }).gpujsSuite.lostContext(m), mode);
        expect(r.before).toEqual([1, 0, 2, 0]);
        expect(r.opError).toMatch(/context was lost/);
        expect(r.readError).toMatch(/context was lost/);
        expect(r.hostRead).toEqual([1, -1, 2, -2]);
        if (mode === 'webgpu') expect(r.otherError).toMatch(/context was lost/);
      } finally {
        await p.close();
      }
    });
  }
});
