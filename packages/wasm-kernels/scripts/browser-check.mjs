// Runs the built kernels in headless Chromium (/usr/bin/chromium, never downloaded): SIMD probe,
// sgemm vs a float64 loop on a plain memory in the page, and on a SHARED memory in a Web Worker
// (cross-origin isolated page). Not a test (needs a browser); prints one JSON line per check and
// exits 1 on a failure. Usage: pnpm --filter @convkit/wasm-kernels browser-check  (after build)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, startStaticServer } from '@convkit/test-server';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const page = `<!doctype html><script type="module">
import { instantiateKernels, createHeap, simdUnavailableReason, createKernelMemory } from './index.js';
function check(k, heap) {
  const [m, n, kk] = [37, 45, 300];
  const A = Float32Array.from({ length: m * kk }, (_, i) => Math.sin(i));
  const B = Float32Array.from({ length: kk * n }, (_, i) => Math.cos(i));
  const pa = heap.alloc(A.length * 4), pb = heap.alloc(B.length * 4), pc = heap.alloc(m * n * 4), ws = heap.alloc(k.gemmWorkspaceBytes);
  heap.f32(pa, A.length).set(A); heap.f32(pb, B.length).set(B);
  k.exports.sgemm(m, n, kk, 1, pa, kk, 1, pb, n, 1, 0, pc, n, ws);
  const C = heap.f32(pc, m * n); let err = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) { let s = 0; for (let l = 0; l < kk; l++) s += A[i * kk + l] * B[l * n + j]; err = Math.max(err, Math.abs(s - C[i * n + j]) / (1 + Math.abs(s))); }
  return err;
}
window.run = async () => {
  const out = { ua: navigator.userAgent, simd: simdUnavailableReason(), isolated: self.crossOriginIsolated };
  const k = await instantiateKernels();
  out.plainErr = check(k, createHeap(k));
  const mem = createKernelMemory(true, 64);
  const w = new Worker(URL.createObjectURL(new Blob([\`
    onmessage = async (e) => {
      const { instantiateKernels, createHeap } = await import(e.data.base + 'index.js');
      const check = \${check.toString()};
      const k = await instantiateKernels(e.data.mem);
      postMessage({ shared: k.shared, err: check(k, createHeap(k)) });
    };\`], { type: 'text/javascript' })), { type: 'module' });
  const r = await new Promise((res, rej) => { w.onmessage = (e) => res(e.data); w.onerror = (e) => rej(new Error(e.message)); w.postMessage({ mem, base: location.origin + '/' }); });
  out.worker = r;
  return out;
};
</script>`;
// the page from a temp dir, the built kernels from dist/, both at /, cross-origin isolated
const pageDir = mkdtempSync(join(tmpdir(), 'convkit-wasm-kernels-'));
writeFileSync(join(pageDir, 'index.html'), page);
const server = await startStaticServer({ mounts: [{ prefix: '/', dir: pageDir }, { prefix: '/', dir: dist }] });
const url = server.url;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? CHROMIUM,
  args: [...CHROMIUM_ARGS],
});
let ok = false;
try {
  const pg = await browser.newPage();
  pg.on('console', (m) => console.error('[page]', m.text()));
  await pg.goto(url);
  await pg.waitForFunction(() => typeof window.run === 'function');
  const out = await pg.evaluate(() => window.run());
  console.log(JSON.stringify({ browser: browser.version(), ...out }));
  ok = out.simd === null && out.plainErr < 1e-4 && out.worker.shared === true && out.worker.err < 1e-4;
} finally {
  await browser.close();
  await server.close();
  rmSync(pageDir, { recursive: true, force: true });
}
console.log(ok ? 'browser-check: 1 passed, 0 failed' : 'browser-check: 0 passed, 1 failed');
process.exit(ok ? 0 : 1);
