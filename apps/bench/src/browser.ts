/**
 * The browser half: bundles browser_entry.js with every backend package found (esbuild, in
 * a temp dir), serves it from 127.0.0.1 with COOP/COEP (@convkit/test-server: SharedArrayBuffer for
 * Web Workers and threaded tfjs-wasm), runs it in headless Chromium through playwright-core and
 * returns its rows.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { CHROMIUM, CHROMIUM_GPU_ARGS, startStaticServer, type Mount, type StaticServer } from '@convkit/test-server';
import { withTimeout, type HalfConfig, type RowResult } from './bench.js';
import { discoverBackends, repoRoot } from './convkit.js';

/** The CLI's run settings for the page, and where its progress lines go. */
export interface BrowserOptions {
  cfg: HalfConfig;
  log: (s: string) => void;
}

export interface BrowserResult {
  rows: RowResult[];
  skipped: { impl: string; reason: string }[];
  notes: string[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);


/** Writes the page, /bundle/main.js and /bundle/worker.js into dir; the mounts that serve them and tfjs-wasm's binaries at /tfjs/. */
async function bundle(dir: string): Promise<{ mounts: Mount[]; backends: string[] }> {
  const esbuild = await import('esbuild');
  const root = repoRoot();
  const found = (await discoverBackends()).filter((f) => f.descriptors.length > 0);
  const dists = found.map((f) => path.join(root, 'packages', f.pkg.replace('@convkit/', ''), 'dist', 'index.js')).filter((p) => existsSync(p));
  const entry = [
    `import { benchInBrowser } from ${JSON.stringify(path.join(here, 'browser_entry.js'))};`,
    ...dists.map((d, i) => `import * as b${i} from ${JSON.stringify(d)};`),
    `globalThis.__convkitBench = (cfg) => benchInBrowser(cfg, [${dists.map((_, i) => `b${i}`).join(', ')}]);`,
    `globalThis.__convkitReady = true;`,
  ].join('\n');
  const common = {
    bundle: true,
    format: 'esm' as const,
    platform: 'browser' as const,
    target: 'es2022',
    logLevel: 'silent' as const,
    // Node-only paths inside backends are behind runtime checks; never bundle Node built-ins
    external: ['node:*', 'worker_threads', 'os', 'fs', 'path', 'url', 'module', 'child_process', 'crypto', 'gl', 'perf_hooks', 'util'],
    define: { 'process.env.NODE_ENV': '"production"' },
  };
  await esbuild.build({ ...common, stdin: { contents: entry, resolveDir: here, sourcefile: 'bench-entry.js' }, outfile: path.join(dir, 'bundle', 'main.js') });
  const workerSrc = path.join(root, 'packages', 'backend-workers', 'dist', 'worker.js');
  if (existsSync(workerSrc)) {
    // backend-workers loads new URL('./worker.js', import.meta.url): beside the main bundle
    await esbuild.build({ ...common, entryPoints: [workerSrc], outfile: path.join(dir, 'bundle', 'worker.js') });
  }
  writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>convkit bench</title></head><body><script type="module" src="/bundle/main.js"></script></body></html>',
  );
  // tfjs-backend-wasm.wasm, -simd.wasm and -threaded-simd.wasm, fetched from /tfjs/
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  return { mounts: [{ prefix: '/', dir }, { prefix: '/tfjs/', dir: wasmDir }], backends: found.map((f) => f.pkg) };
}

export async function runBrowser(o: BrowserOptions): Promise<BrowserResult> {
  if (!existsSync(CHROMIUM)) return { rows: [], skipped: [{ impl: 'browser (headless Chromium)', reason: `no Chromium at ${CHROMIUM}` }], notes: [] };
  const { chromium } = await import('playwright-core');
  const t0 = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'convkit-bench-browser-'));
  let server: StaticServer | undefined;
  let browser: import('playwright-core').Browser | undefined;
  try {
    const { mounts, backends } = await bundle(dir);
    o.log(`browser half: bundled ${backends.join(', ')} + tfjs-wasm in ${Date.now() - t0} ms`);
    server = await startStaticServer({ mounts });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_GPU_ARGS] });
    const page = await browser.newPage();
    // tfjs-backend-wasm preallocates min(4, hardwareConcurrency/2) pthreads, so on 2 cores its
    // XNNPACK pool gets no second thread: report 2x the cores to it (the real count is kept for the
    // thread count we ask for) so the threaded row really uses every core.
    await page.addInitScript(() => {
      const real = navigator.hardwareConcurrency;
      (globalThis as { __realCores?: number }).__realCores = real;
      Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => real * 2, configurable: true });
    });
    page.on('console', (m) => {
      const t = m.text();
      if (t.startsWith('[bench] ')) o.log(`chromium: ${t.slice(8)}`);
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as { __convkitReady?: boolean }).__convkitReady === true, null, { timeout: 60_000 }).catch(() => {
      throw new Error(`the bench page did not load: ${errors.join('; ') || 'timeout'}`);
    });
    const cfg = o.cfg;
    page.setDefaultTimeout(0);
    const limit = (cfg.quick ? 240 : 1800) * 1000;
    const r = (await withTimeout(page.evaluate((c) => (globalThis as any).__convkitBench(c), cfg), limit, 'the browser half')) as BrowserResult & { userAgent: string };
    r.notes.push(`browser bundle: ${backends.join(', ')}, served from 127.0.0.1 with COOP/COEP; Chromium ${browser.version()} headless`);
    return { rows: r.rows, skipped: r.skipped, notes: r.notes };
  } finally {
    if (browser) await withTimeout(browser.close(), 30_000, 'closing Chromium').catch(() => undefined);
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
