// conv2d forward: js backend vs @tensorflow/tfjs-backend-cpu on the same problem (not a test).
//   node scripts/vs-tfjs.mjs
// Both measured with this process's CPU time per call (other processes sharing the cores do not count).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as kernels from '../dist/primitives/index.js';

await tf.setBackend('cpu');
const rnd = (n) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
// best of 3 batches of >= 2 calls, CPU time of this process
function cpuMs(fn) {
  fn();
  let best = Infinity;
  for (let b = 0; b < 3; b++) {
    const u0 = process.cpuUsage();
    fn();
    fn();
    const u = process.cpuUsage(u0);
    best = Math.min(best, (u.user + u.system) / 2000);
  }
  return best;
}
const cases = [
  [8, 32, 64, 64, 64, 3],
  [8, 64, 64, 64, 64, 1],
  [1, 3, 224, 224, 32, 3],
];
for (const [N, C, H, W, K, R] of cases) {
  const pad = Math.floor((R - 1) / 2);
  const p = { N, C, K, groups: 1, inH: H, inW: W, kH: R, kW: R, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1,
    padTop: pad, padBottom: R - 1 - pad, padLeft: pad, padRight: R - 1 - pad, outH: H, outW: W, padMode: 'zeros', flip: false };
  const x = rnd(N * C * H * W), w = rnd(K * C * R * R), y = new Float32Array(N * K * H * W);
  const scratch = kernels.createScratch();
  const jsMs = cpuMs(() => kernels.conv2d(p, x, w, null, y, 0, N, 0, K, 0, H, scratch));
  // tfjs: NHWC input, HWIO filter; 'same' for odd kernels = same centring
  const xt = tf.tensor4d(rnd(N * H * W * C), [N, H, W, C]);
  const wt = tf.tensor4d(rnd(R * R * C * K), [R, R, C, K]);
  const tfMs = cpuMs(() => tf.tidy(() => tf.conv2d(xt, wt, 1, 'same').dataSync()));
  const flops = 2 * N * K * C * R * R * H * W;
  console.log(
    `conv ${R}x${R} N=${N} C=${C} ${H}x${W} K=${K}: js ${jsMs.toFixed(1)} ms (${(flops / jsMs / 1e6).toFixed(2)} GFLOP/s), ` +
      `tfjs-cpu ${tfMs.toFixed(1)} ms (${(flops / tfMs / 1e6).toFixed(2)} GFLOP/s), speedup ${(tfMs / jsMs).toFixed(2)}x`,
  );
}
