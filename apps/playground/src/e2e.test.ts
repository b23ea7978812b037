/**
 * End to end: build the app (if turbo has not), serve it with `vite preview` on 127.0.0.1 (with
 * COOP/COEP), drive the system Chromium headless through playwright-core (never a downloaded
 * browser), filter the image and train a few steps, assert the filter produced pixels and the loss
 * fell, and save a screenshot to out/playground.png.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

const CHROMIUM = process.env.CONVKIT_CHROMIUM ?? '/usr/bin/chromium';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
];
const haveChromium = existsSync(CHROMIUM);
/** training steps compared between js and each gpu.js browser mode */
const PARITY_STEPS = Number(process.env.CONVKIT_PLAYGROUND_PARITY_STEPS ?? 10);

describe.skipIf(!haveChromium)(`playground in headless Chromium${haveChromium ? '' : ` (skipped: no browser at ${CHROMIUM})`}`, () => {
  let server: import('vite').PreviewServer;
  let browser: import('playwright-core').Browser;
  let url = '';

  beforeAll(async () => {
    const vite = await import('vite');
    const configFile = join(root, 'vite.config.ts');
    if (!existsSync(join(root, 'dist', 'index.html'))) await vite.build({ root, configFile, logLevel: 'warn' });
    server = await vite.preview({ root, configFile, preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
    const addr = server.httpServer.address() as AddressInfo;
    url = `http://127.0.0.1:${addr.port}/`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.httpServer.close(() => r()) : r()));
  });

  it('filters the image, trains and the loss goes down; screenshot saved', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
    expect(isolated).toBe(true);
    const backends = JSON.parse((await page.getAttribute('body', 'data-backends'))!) as { spec: string; available: boolean; reason: string }[];
    expect(backends.find((b) => b.spec === 'js')?.available).toBe(true);
    // every unavailable backend is shown disabled with its reason
    for (const b of backends.filter((x) => !x.available)) {
      expect(await page.isDisabled(`input[value="${b.spec}"]`)).toBe(true);
      expect(b.reason.length).toBeGreaterThan(0);
    }
    expect(await page.getAttribute('body', 'data-backend')).toBe('js');

    // filter on js
    const readOutput = () =>
      page.evaluate(() => {
        const c = document.getElementById('output') as HTMLCanvasElement;
        return { w: c.width, h: c.height, px: Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data) };
      });
    await page.selectOption('#filter', 'sobelx');
    await page.click('#run-filter');
    await page.waitForSelector('body[data-filter-done="sobelx"]', { timeout: 60_000 });
    const js = await readOutput();
    expect(js.w).toBeGreaterThan(8);
    const lit = js.px.filter((v, i) => i % 4 !== 3 && v > 5).length;
    expect(lit).toBeGreaterThan(js.w * js.h * 0.05);
    expect(Number(await page.getAttribute('body', 'data-filter-nonzero'))).toBeGreaterThan(0);

    // the same filter on the workers backend (when the page is isolated) gives the same pixels
    if (backends.find((b) => b.spec === 'workers')?.available) {
      await page.check('input[value="workers"]');
      await page.waitForSelector('body[data-backend="workers"]', { timeout: 30_000 });
      await page.waitForFunction(() => !(document.getElementById('run-filter') as HTMLButtonElement).disabled);
      await page.click('#run-filter');
      await page.waitForSelector('body[data-filter-done="sobelx"]', { timeout: 60_000 });
      const wk = await readOutput();
      expect(wk.px.length).toBe(js.px.length);
      let maxDiff = 0;
      wk.px.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - js.px[i]!))));
      expect(maxDiff).toBeLessThanOrEqual(1);
      await page.check('input[value="js"]');
      await page.waitForSelector('body[data-backend="js"]', { timeout: 30_000 });
      await page.waitForFunction(() => !(document.getElementById('run-train') as HTMLButtonElement).disabled);
    }

    // colour gradient filter for the screenshot
    await page.selectOption('#filter', 'direction');
    await page.click('#run-filter');
    await page.waitForSelector('body[data-filter-done="direction"]', { timeout: 60_000 });

    // train
    await page.fill('#steps', '40');
    await page.click('#run-train');
    await page.waitForSelector('body[data-train-done="40"]', { timeout: 90_000 });
    const first = Number(await page.getAttribute('body', 'data-loss-first'));
    const last = Number(await page.getAttribute('body', 'data-loss-last'));
    expect(first).toBeGreaterThan(1.5);
    expect(last).toBeLessThan(first * 0.8);

    const jsLosses = JSON.parse((await page.getAttribute('body', 'data-losses'))!) as number[];
    mkdirSync(join(root, 'out'), { recursive: true });
    await page.screenshot({ path: join(root, 'out', 'playground.png'), fullPage: true });

    // wasm (SIMD, one thread) and the gpu.js modes of this browser (SwiftShader here): the engine
    // that ran is the one asked for, same filter pixels, same first losses
    for (const [spec, mode] of [['wasm', 'wasm-simd'], ['gpujs:webgl2', 'webgl2'], ['gpujs:webgpu', 'webgpu']] as const) {
      const b = backends.find((x) => x.spec === spec);
      if (!b?.available) {
        console.log(`playground e2e: ${spec} skipped: ${b ? b.reason : 'not listed'}`);
        continue;
      }
      await page.check(`input[value="${spec}"]`);
      await page.waitForFunction(
        (s) => document.body.dataset.backend === s && !(document.getElementById('run-train') as HTMLButtonElement).disabled,
        spec,
        { timeout: 60_000 },
      );
      expect(await page.getAttribute('body', 'data-engine')).toBe(mode);
      await page.selectOption('#filter', 'sobelx');
      await page.click('#run-filter');
      await page.waitForSelector('body[data-filter-done="sobelx"]', { timeout: 60_000 });
      const g = await readOutput();
      let maxDiff = 0;
      g.px.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - js.px[i]!))));
      expect(maxDiff, `${spec} filter pixels vs js`).toBeLessThanOrEqual(1);
      // the first PARITY_STEPS losses of the same seeded run agree with js within 1e-3 relative
      await page.fill('#steps', String(PARITY_STEPS));
      await page.click('#run-train');
      await page.waitForSelector(`body[data-train-done="${PARITY_STEPS}"]`, { timeout: 90_000 });
      expect(await page.getAttribute('body', 'data-train-engine')).toBe(mode);
      const losses = JSON.parse((await page.getAttribute('body', 'data-losses'))!) as number[];
      losses.forEach((l, i) => expect(Math.abs(l - jsLosses[i]!) / jsLosses[i]!, `${spec} loss at step ${i}`).toBeLessThanOrEqual(1e-3));
    }
    // the last run (a gpu.js mode when there is one), for a look at the page on another backend
    await page.screenshot({ path: join(root, 'out', 'playground-last-backend.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
