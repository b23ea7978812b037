// Times maxpoolPlanes alone on the bench's maxpool input (N=8 C=64 64x64 = 512 planes, already in
// wasm memory), one thread: 2x2/2 (the bench's case) and 3x3/2 'same' (padding 1). Not a test.
// Medians of wall-clock time and of process CPU time (the latter moves less on a loaded host).
// Usage (after a build): node packages/wasm-kernels/scripts/maxpool.mjs [--reps 60]
import { instantiateKernelsSync, createHeap } from '../dist/index.js';

const i = process.argv.indexOf('--reps');
const reps = i > 0 ? Number(process.argv[i + 1]) : 60;
const k = instantiateKernelsSync();
const heap = createHeap(k);
const [P, H, W] = [512, 64, 64];
const plane = H * W;
const [outH, outW] = [32, 32];
const xp = heap.alloc(P * plane * 4);
const yp = heap.alloc(P * outH * outW * 4);
const ip = heap.alloc(P * outH * outW * 4);
const xv = heap.f32(xp, P * plane);
for (let j = 0; j < xv.length; j++) xv[j] = Math.sin(j * 1.7);
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const MB = (P * plane + P * outH * outW) * 4 / 1e6; // input read + values written, as the bench counts
for (const [kk, pad] of [[2, 0], [3, 1]]) {
  const wall = [];
  const cpu = [];
  for (let r = 0; r < reps + 5; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let j = 0; j < 5; j++) k.exports.maxpoolPlanes(xp, P, H, W, kk, kk, 2, 2, 1, 1, pad, pad, outH, outW, yp, ip, 0);
    const t = (performance.now() - t0) / 5;
    const d = process.cpuUsage(c0);
    if (r < 5) continue;
    wall.push(t);
    cpu.push((d.user + d.system) / 5000);
  }
  const w = med(wall);
  console.log(`maxpool ${kk}x${kk}/2 pad ${pad}: ${w.toFixed(3)} ms wall (${(MB / w).toFixed(1)} GB/s), ${med(cpu).toFixed(3)} ms CPU`);
}
