/**
 * The workers backend in headless Chromium (playwright-core, the system /usr/bin/chromium; never a
 * downloaded browser): esbuild bundles a test page and the worker script side by side, two
 * @convkit/test-server servers on 127.0.0.1 serve them, one with COOP/COEP headers (cross-origin
 * isolated: Web Workers + SharedArrayBuffer) and one without (Web Workers + copying). Both check that the
 * Web Workers run the wasm SIMD kernels (the worker bundle carries them: wasm-kernels embeds its
 * bytes) and report it in the engine, and what 'auto' picks between workers and the single-thread
 * wasm backend (workers with shared memory, wasm without).
 * Skipped, with the reason printed, when Chromium is not installed (CONVKIT_CHROMIUM overrides the path).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUwnetDir } from '@convkit/reference';
import { CHROMIUM, CHROMIUM_ARGS, startStaticServer, type Mount, type StaticServer } from '@convkit/test-server';

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser.test.ts: SKIPPED — no Chromium at ${CHROMIUM} (set CONVKIT_CHROMIUM)`);
// the conformance golden set shipped in @convkit/conformance, and the course data when present
const GOLDEN = join(dirname(createRequire(import.meta.url).resolve('@convkit/conformance/package.json')), 'golden');
const UWNET = findUwnetDir();
if (!UWNET) console.warn('browser.test.ts: uwnet golden data not found: the browser conformance run skips its uwnet cases');

interface Report {
  engine: string;
  kernelsVerified: boolean;
  kernelRuns: Record<string, { wasm: number; js: number }>;
  auto: { backend: string; engine: string } | null;
  crossOriginIsolated: boolean;
  poolSize: number;
  results: { name: string; error: string }[];
  lifecycle: { name: string; error: string }[];
  conformance: { engine: string; counts: Record<string, number>; failures: string[] } | null;
  done: boolean;
}

describe.skipIf(!haveChromium)('workers backend in headless Chromium', () => {
  let dir = '';
  const servers: Partial<Record<'coi' | 'plain', StaticServer>> = {};
  let browser: import('playwright-core').Browser;

  beforeAll(async () => {
    const esbuild = await import('esbuild');
    dir = mkdtempSync(join(tmpdir(), 'convkit-workers-browser-'));
    const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
    const common = { bundle: true, format: 'esm' as const, platform: 'browser' as const, target: 'es2022', logLevel: 'error' as const };
    await esbuild.build({ ...common, entryPoints: [here('./testing/browser-page.ts')], outfile: join(dir, 'page.js') });
    // the worker bundle goes where the backend looks for it: beside the page bundle
    await esbuild.build({ ...common, entryPoints: [here('../dist/worker.js')], outfile: join(dir, 'worker.js') });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>convkit workers</title><script type="module" src="page.js"></script>');
    const mounts: Mount[] = [{ prefix: '/', dir }, { prefix: '/golden/', dir: GOLDEN }];
    if (UWNET) mounts.push({ prefix: '/uwnet/', dir: UWNET });
    servers.coi = await startStaticServer({ mounts });
    servers.plain = await startStaticServer({ mounts, crossOriginIsolated: false });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS], headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(Object.values(servers).map((s) => s.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function run(mode: 'coi' | 'plain'): Promise<Report> {
    const page = await browser.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    try {
      await page.goto(`${servers[mode]!.url}?golden=1${UWNET ? '&uwnet=1' : ''}`);
      await page.waitForFunction(() => (globalThis as any).__report?.done === true, undefined, { timeout: 90_000 });
      const r = (await page.evaluate(() => (globalThis as any).__report)) as Report;
      console.log(
        `browser (${mode}): engine ${r.engine}, ${r.results.length} op cases, ${r.lifecycle.length} lifecycle checks, ` +
          `conformance ${JSON.stringify(r.conformance?.counts)}`,
      );
      return r;
    } catch (e) {
      throw new Error(`${(e as Error).message}\npage log:\n${logs.join('\n')}`);
    } finally {
      await page.close();
    }
  }

  /** The Web Workers said they run the wasm SIMD kernels, and ran the conv / maxpool tasks in wasm. */
  function expectWasmKernels(r: Report) {
    expect(r.kernelsVerified).toBe(true);
    for (const k of ['conv2d', 'conv2dBackwardData', 'conv2dBackwardFilter', 'maxpool2d']) {
      expect(r.kernelRuns[k], k).toBeDefined();
      expect(r.kernelRuns[k]!.wasm, k).toBeGreaterThan(0);
      expect(r.kernelRuns[k]!.js, k).toBe(0);
    }
  }

  function expectAllPass(r: Report) {
    const failed = [...r.results, ...r.lifecycle].filter((x) => x.error);
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
    expect(r.results.length).toBeGreaterThan(5);
    expect(r.lifecycle.length).toBe(7);
    // the full conformance suite ran in the page on the same engine
    const conf = r.conformance!;
    expect(conf.engine).toBe(r.engine);
    expect(conf.failures, conf.failures.join('\n')).toEqual([]);
    expect(conf.counts.pass).toBeGreaterThan(200);
  }

  it('cross-origin isolated page: Web Workers share SharedArrayBuffers and run wasm SIMD (web-workers+sab+wasm-simd)', async () => {
    const r = await run('coi');
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.engine).toBe('web-workers+sab+wasm-simd');
    expectWasmKernels(r);
    // 'auto' between workers and the single-thread wasm backend: workers (shared memory, SIMD, 2+ cores)
    expect(r.auto).toEqual({ backend: 'workers', engine: 'web-workers+sab+wasm-simd' });
    expect(r.poolSize).toBe(3);
    expectAllPass(r);
  });

  it('page without COOP/COEP: falls back to copying and says so (web-workers+copy+wasm-simd)', async () => {
    const r = await run('plain');
    expect(r.crossOriginIsolated).toBe(false);
    expect(r.engine).toBe('web-workers+copy+wasm-simd');
    expectWasmKernels(r);
    // without SharedArrayBuffer the single-thread wasm backend serves the page ('auto' picks it)
    expect(r.auto).toEqual({ backend: 'wasm', engine: 'wasm-simd' });
    expectAllPass(r);
  });
});
