// Speed check of the js backend's raw kernels (not a test). Run after `pnpm build`:
//   node scripts/speed.mjs [gemm|conv|convbwd|pool|all]
// Reports GFLOP/s (2*m*n*k flops per GEMM; 2*N*K*C/g*R*S*outH*outW per conv, i.e. direct-conv
// equivalent even when Winograd does fewer) and GB/s for maxpool (input + output + index bytes).
import * as kernels from '../dist/primitives/index.js';

const which = process.argv[2] ?? 'all';
const rnd = (n) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
};
// Milliseconds per call: the best of 5 batches (each >= 300 ms or 2 calls), measured with this
// process's CPU time (user + system) so other processes sharing the cores inflate it as little as
// possible. SPEED_WALL=1 uses wall time instead.
const useWall = !!process.env.SPEED_WALL;
function time(fn, batchMs = 300, batches = 5) {
  fn(); // warm up
  let best = Infinity;
  for (let b = 0; b < batches; b++) {
    let reps = 0;
    const u0 = process.cpuUsage();
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < batchMs || reps < 2) {
      fn();
      reps++;
      t = performance.now();
    }
    const u = process.cpuUsage(u0);
    best = Math.min(best, (useWall ? t - t0 : (u.user + u.system) / 1000) / reps);
  }
  return best;
}
const scratch = kernels.createScratch();

if (which === 'gemm' || which === 'all') {
  for (const s of [256, 512, 1024]) {
    const a = rnd(s * s), b = rnd(s * s), c = new Float32Array(s * s);
    const p = { m: s, n: s, k: s, transA: false, transB: false, alpha: 1, beta: 0 };
    const ms = time(() => kernels.gemm(p, a, b, null, null, c, 0, s, 0, s, scratch));
    console.log(`gemm ${s}^3: ${ms.toFixed(1)} ms, ${((2 * s * s * s) / ms / 1e6).toFixed(2)} GFLOP/s`);
  }
}

// 'same' geometry (course centring) for stride s
function convParams(N, C, H, W, K, R, S, groups = 1, s = 1) {
  const padTop = Math.floor((R - 1) / 2), padLeft = Math.floor((S - 1) / 2);
  const outH = Math.floor((H - 1) / s) + 1, outW = Math.floor((W - 1) / s) + 1;
  return { N, C, K, groups, inH: H, inW: W, kH: R, kW: S, strideH: s, strideW: s, dilationH: 1, dilationW: 1,
    padTop, padBottom: Math.max(0, (outH - 1) * s + R - H - padTop), padLeft, padRight: Math.max(0, (outW - 1) * s + S - W - padLeft),
    outH, outW, padMode: 'zeros', flip: false };
}
const cases = [
  ['3x3 N=8 C=32 64x64 K=64', convParams(8, 32, 64, 64, 64, 3, 3)],
  ['1x1 N=8 C=64 64x64 K=64', convParams(8, 64, 64, 64, 64, 1, 1)],
  ['dw3x3 N=8 C=64 64x64', convParams(8, 64, 64, 64, 64, 3, 3, 64)],
  ['5x5 N=64 C=1 28x28 K=32', convParams(64, 1, 28, 28, 32, 5, 5)],
  ['7x7/2 N=1 C=3 224x224 K=64', convParams(1, 3, 224, 224, 64, 7, 7, 1, 2)],
  ['1x1 N=8 C=64 32x32 K=128', convParams(8, 64, 32, 32, 128, 1, 1)],
];
if (which === 'conv' || which === 'all') {
  for (const [name, p] of cases) {
    const x = rnd(p.N * p.C * p.inH * p.inW), w = rnd(p.K * (p.C / p.groups) * p.kH * p.kW);
    const y = new Float32Array(p.N * p.K * p.outH * p.outW);
    const flops = 2 * p.N * p.K * (p.C / p.groups) * p.kH * p.kW * p.outH * p.outW;
    const ms = time(() => kernels.conv2d(p, x, w, null, y, 0, p.N, 0, p.K, 0, p.outH, scratch));
    console.log(`conv2d ${name}: ${ms.toFixed(1)} ms, ${(flops / ms / 1e6).toFixed(2)} GFLOP/s`);
  }
}
if (which === 'convbwd' || which === 'all') {
  for (const [name, p] of [cases[0], cases[2]]) {
    const Cg = p.C / p.groups;
    const x = rnd(p.N * p.C * p.inH * p.inW), w = rnd(p.K * Cg * 9), dy = rnd(p.N * p.K * p.outH * p.outW);
    const dx = new Float32Array(x.length), dw = new Float32Array(w.length);
    const flops = 2 * p.N * p.K * Cg * 9 * p.outH * p.outW;
    let ms = time(() => kernels.conv2dBackwardData(p, w, dy, dx, 0, p.N, 0, p.C, scratch));
    console.log(`conv2d backward dx ${name}: ${ms.toFixed(1)} ms, ${(flops / ms / 1e6).toFixed(2)} GFLOP/s`);
    ms = time(() => kernels.conv2dBackwardFilter(p, x, dy, dw, 0, p.K, 0, Cg, scratch));
    console.log(`conv2d backward dw ${name}: ${ms.toFixed(1)} ms, ${(flops / ms / 1e6).toFixed(2)} GFLOP/s`);
  }
}
if (which === 'pool' || which === 'all') {
  const N = 8, C = 64, H = 64, W = 64;
  const p = { N, C, inH: H, inW: W, kH: 2, kW: 2, strideH: 2, strideW: 2, dilationH: 1, dilationW: 1,
    padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, outH: 32, outW: 32 };
  const x = rnd(N * C * H * W), y = new Float32Array(N * C * 32 * 32), ind = new Int32Array(y.length);
  const ms = time(() => kernels.maxpool2d(p, x, y, ind));
  const bytes = x.byteLength + y.byteLength + ind.byteLength;
  console.log(`maxpool2d 2x2/2 N=8 C=64 64x64: ${ms.toFixed(2)} ms, ${(bytes / ms / 1e6).toFixed(2)} GB/s (in+out+indices bytes)`);
}
