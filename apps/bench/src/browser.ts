/**
 * The browser half: bundles browser_entry.js with every backend package found (esbuild, in
 * memory), serves it from 127.0.0.1 with COOP/COEP (SharedArrayBuffer for Web Workers and threaded
 * tfjs-wasm), runs it in headless Chromium through playwright-core and returns its rows.
 */
import http from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
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

export const CHROMIUM = process.env.CONVKIT_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
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

async function bundle(): Promise<{ files: Map<string, { body: Uint8Array | string; type: string }>; backends: string[] }> {
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
    write: false,
    logLevel: 'silent' as const,
    // Node-only paths inside backends are behind runtime checks; never bundle Node built-ins
    external: ['node:*', 'worker_threads', 'os', 'fs', 'path', 'url', 'module', 'child_process', 'crypto', 'gl', 'perf_hooks', 'util'],
    define: { 'process.env.NODE_ENV': '"production"' },
  };
  const files = new Map<string, { body: Uint8Array | string; type: string }>();
  const main = await esbuild.build({ ...common, stdin: { contents: entry, resolveDir: here, sourcefile: 'bench-entry.js' }, outfile: 'main.js' });
  files.set('/bundle/main.js', { body: main.outputFiles![0]!.contents, type: 'text/javascript' });
  const workerSrc = path.join(root, 'packages', 'backend-workers', 'dist', 'worker.js');
  if (existsSync(workerSrc)) {
    // backend-workers loads new URL('./worker.js', import.meta.url): beside the main bundle
    const w = await esbuild.build({ ...common, entryPoints: [workerSrc], outfile: 'worker.js' });
    files.set('/bundle/worker.js', { body: w.outputFiles![0]!.contents, type: 'text/javascript' });
  }
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    files.set(`/tfjs/${f}`, { body: readFileSync(path.join(wasmDir, f)), type: 'application/wasm' });
  }
  files.set('/', {
    body: '<!doctype html><html><head><meta charset="utf-8"><title>convkit bench</title></head><body><script type="module" src="/bundle/main.js"></script></body></html>',
    type: 'text/html',
  });
  return { files, backends: found.map((f) => f.pkg) };
}

function serve(files: Map<string, { body: Uint8Array | string; type: string }>): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const f = files.get(url.pathname);
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    if (!f) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': f.type }).end(f.body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function runBrowser(o: BrowserOptions): Promise<BrowserResult> {
  if (!existsSync(CHROMIUM)) return { rows: [], skipped: [{ impl: 'browser (headless Chromium)', reason: `no Chromium at ${CHROMIUM}` }], notes: [] };
  const { chromium } = await import('playwright-core');
  const t0 = Date.now();
  const { files, backends } = await bundle();
  o.log(`browser half: bundled ${backends.join(', ')} + tfjs-wasm in ${Date.now() - t0} ms`);
  const server = await serve(files);
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
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
    await page.goto(`http://127.0.0.1:${port}/`);
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
    await withTimeout(browser.close(), 30_000, 'closing Chromium').catch(() => undefined);
    server.close();
  }
}
