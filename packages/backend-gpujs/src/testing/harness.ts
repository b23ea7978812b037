/**
 * Node side of the browser tests: bundles src/testing/browser-entry.ts with esbuild, serves it
 * (plus the uwnet golden files when present) from 127.0.0.1 on a random port with COOP/COEP
 * headers, and launches the system Chromium through playwright-core (never a downloaded browser).
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

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

export interface Harness {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function bundle(outDir: string): Promise<string> {
  const out = join(outDir, 'bundle.js');
  await build({
    entryPoints: [join(here, 'browser-entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: out,
    logLevel: 'error',
    // Node-only paths are behind dynamic imports with computed specifiers; nothing to stub
  });
  return out;
}

/** Serves the uwnet golden files at /golden/ and @convkit/conformance's golden set at /cgolden/. */
export async function startHarness(goldenDir: string | null, conformanceDir: string | null = null): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'convkit-gpujs-'));
  const js = await bundle(dir);
  const html = '<!doctype html><meta charset="utf-8"><title>convkit gpujs</title><script type="module" src="/bundle.js"></script><body>gpujs</body>';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    };
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(html);
    } else if (url.pathname === '/bundle.js') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(readFileSync(js));
    } else if (url.pathname.startsWith('/cgolden/') && conformanceDir) {
      const f = join(conformanceDir, basename(url.pathname));
      if (existsSync(f)) res.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream' }).end(readFileSync(f));
      else res.writeHead(404, headers).end();
    } else if (url.pathname.startsWith('/golden/') && goldenDir) {
      const f = join(goldenDir, basename(url.pathname));
      if (existsSync(f)) res.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream' }).end(readFileSync(f));
      else res.writeHead(404, headers).end();
    } else {
      res.writeHead(404, headers).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  // headless Chromium needs no X server: keep it off the Xvfb display that headless-gl uses (its
  // GPU/renderer processes holding X resources made later headless-gl contexts fail under Xvfb)
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'DISPLAY' && k !== 'XAUTHORITY') env[k] = v;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, env });
  return {
    url: `http://127.0.0.1:${port}/`,
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await new Promise<void>((ok) => server.close(() => ok()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
