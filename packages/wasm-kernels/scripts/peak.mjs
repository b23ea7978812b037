// The wasm-SIMD mul + add ceiling of this machine under V8, next to the packed GEMM micro-kernel.
// Compiles bench/peak.ts (AssemblyScript, in memory), runs it on one thread, then times sgemm on a
// 288 x 4096 x 64 product (conv-A's dx shape) from the built kernels. Not a test; prints two lines.
// Usage (after a build): node packages/wasm-kernels/scripts/peak.mjs
import asc from 'assemblyscript/asc';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instantiateKernelsSync, createHeap } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = {};
const { error, stderr } = await asc.main(['bench/peak.ts', '-O3', '--enable', 'simd', '--runtime', 'stub', '-o', 'peak.wasm'], {
  readFile: (name) => {
    try {
      return readFileSync(join(root, name), 'utf8');
    } catch {
      return null;
    }
  },
  writeFile: (name, contents) => (out[name] = contents),
  listFiles: () => [],
});
if (error) throw new Error(`asc: ${stderr?.toString?.() ?? error}`);
const { instance } = await WebAssembly.instantiate(out['peak.wasm'], { env: { abort() {} } });
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const iters = 2e7;
instance.exports.run(1e6, 0.001);
const tp = [];
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  instance.exports.run(iters, 0.001);
  tp.push(performance.now() - t0);
}
console.log(`register-only f32x4 mul+add: ${((iters * 12 * 8) / med(tp) / 1e6).toFixed(1)} GFLOP/s (median of 5)`);

const k = instantiateKernelsSync();
const heap = createHeap(k);
const [M, N, D] = [288, 4096, 64];
const a = heap.alloc(M * D * 4), b = heap.alloc(D * N * 4), c = heap.alloc(M * N * 4), ws = heap.alloc(k.gemmWorkspaceBytes);
heap.f32(a, M * D).fill(0.5);
heap.f32(b, D * N).fill(0.25);
for (let r = 0; r < 5; r++) k.exports.sgemm(M, N, D, 1, a, D, 1, b, N, 1, 0, c, N, ws);
const tg = [];
for (let r = 0; r < 21; r++) {
  const t0 = performance.now();
  k.exports.sgemm(M, N, D, 1, a, D, 1, b, N, 1, 0, c, N, ws);
  tg.push(performance.now() - t0);
}
console.log(`sgemm ${M}x${N}x${D} (4x8 tile): ${((2 * M * N * D) / med(tg) / 1e6).toFixed(1)} GFLOP/s (median of 21)`);
