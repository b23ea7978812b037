/**
 * Node side of the browser tests: bundles src/testing/browser-entry.ts with esbuild, serves it
 * (plus the uwnet golden files when present) from 127.0.0.1 on a random port with COOP/COEP
 * headers (@convkit/test-server), and launches the system Chromium through playwright-core (never a downloaded browser).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_GPU_ARGS, startStaticServer, type Mount } from '@convkit/test-server';

const here = dirname(fileURLToPath(import.meta.url));

export { CHROMIUM };

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
  await bundle(dir);
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>convkit gpujs</title><script type="module" src="/bundle.js"></script><body>gpujs</body>',
  );
  const mounts: Mount[] = [{ prefix: '/', dir }];
  if (conformanceDir) mounts.push({ prefix: '/cgolden/', dir: conformanceDir });
  if (goldenDir) mounts.push({ prefix: '/golden/', dir: goldenDir });
  const server = await startStaticServer({ mounts });
  // headless Chromium needs no X server: keep it off the Xvfb display that headless-gl uses (its
  // GPU/renderer processes holding X resources made later headless-gl contexts fail under Xvfb)
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'DISPLAY' && k !== 'XAUTHORITY') env[k] = v;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_GPU_ARGS], env });
  return {
    url: server.url,
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
