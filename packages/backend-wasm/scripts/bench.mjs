// GFLOP/s of conv2d on the issue-10 workloads, single thread: @convkit/backend-wasm (wasm-simd),
// @convkit/backend-js, and tfjs-backend-wasm (XNNPACK, SIMD, setThreadsCount(1)) when it loads.
// Not a test. Usage: node scripts/bench.mjs [--reps N] [--only A,B] [--no-tfjs] [--no-js]
// Each row: median wall time of the reps, and the process CPU time per rep (the machine may be
// shared: CPU-time GFLOP/s is what one core delivers while it runs). FLOPs = 2*N*K*outH*outW*C*kH*kW.
import { Registry, createContext } from '@convkit/core';
import { wasmBackend } from '@convkit/backend-wasm';
import { jsBackend } from '@convkit/backend-js';

const args = process.argv.slice(2);
const opt = (name, d) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : d;
};
const REPS = Number(opt('--reps', '5'));
const ONLY = opt('--only', 'A,B,C,D').split(',');

const W = {
  A: { N: 8, C: 32, H: 64, W: 64, K: 64, R: 3, S: 3, stride: 1 },
  B: { N: 64, C: 1, H: 28, W: 28, K: 32, R: 5, S: 5, stride: 1 },
  C: { N: 1, C: 3, H: 224, W: 224, K: 64, R: 7, S: 7, stride: 2 },
  D: { N: 8, C: 64, H: 32, W: 32, K: 128, R: 1, S: 1, stride: 1 },
};
const outSize = (n, s) => Math.floor((n - 1) / s) + 1; // 'same'
const flops = (w) => 2 * w.N * w.K * outSize(w.H, w.stride) * outSize(w.W, w.stride) * w.C * w.R * w.S;
const rnd = (n) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5);

async function time(fn) {
  await fn(); // warm-up (also tiers the wasm up)
  await fn();
  const walls = [];
  const c0 = process.cpuUsage();
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    await fn();
    walls.push(performance.now() - t);
  }
  const cu = process.cpuUsage(c0);
  walls.sort((a, b) => a - b);
  return { wall: walls[walls.length >> 1], cpu: (cu.user + cu.system) / 1000 / REPS };
}

const rows = [];
function row(impl, wl, op, f, t) {
  rows.push({ impl, workload: wl, op, ms: t.wall.toFixed(1), 'GFLOP/s wall': (f / t.wall / 1e6).toFixed(1), 'cpu ms': t.cpu.toFixed(1), 'GFLOP/s cpu': (f / t.cpu / 1e6).toFixed(1) });
  console.log(JSON.stringify(rows[rows.length - 1]));
}

async function convkit(name, desc) {
  const ctx = await createContext({ backend: name, registry: new Registry().register(desc) });
  console.error(`# ${name}: engine ${ctx.engine}`);
  for (const k of ONLY) {
    const w = W[k];
    const x = ctx.tensor(rnd(w.N * w.C * w.H * w.W), [w.N, w.C, w.H, w.W]);
    const f = ctx.tensor(rnd(w.K * w.C * w.R * w.S), [w.K, w.C, w.R, w.S]);
    const b = ctx.tensor(rnd(w.K), [w.K]);
    const o = { stride: w.stride, padding: 'same' };
    row(`convkit:${name} (${ctx.engine})`, k, 'forward', flops(w), await time(async () => (await ctx.conv2d(x, f, { ...o, bias: b })).dispose()));
    if (k === 'A') {
      const dy = ctx.tensor(rnd(w.N * w.K * w.H * w.W), [w.N, w.K, w.H, w.W]);
      row(`convkit:${name} (${ctx.engine})`, k, 'backward dx', flops(w), await time(async () => (await ctx.conv2dBackward(x, f, dy, { ...o, wants: { dx: true, dw: false, db: false } })).dx.dispose()));
      row(`convkit:${name} (${ctx.engine})`, k, 'backward dW', flops(w), await time(async () => (await ctx.conv2dBackward(x, f, dy, { ...o, wants: { dx: false, dw: true, db: false } })).dw.dispose()));
      dy.dispose();
    }
    x.dispose();
    f.dispose();
    b.dispose();
  }
  await ctx.dispose();
}

async function tfjs() {
  let tf, wasm;
  try {
    tf = await import('@tensorflow/tfjs-core');
    wasm = await import('@tensorflow/tfjs-backend-wasm');
    tf.env().set('PROD', true);
    wasm.setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend(wasm) returned false');
  } catch (e) {
    console.error(`# tfjs-backend-wasm unavailable: ${e.message}`);
    return;
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const label = `tfjs-backend-wasm (xnnpack${simd ? ', simd' : ''}, ${wasm.getThreadsCount()} thread)`;
  console.error(`# ${label}`);
  for (const k of ONLY) {
    const w = W[k];
    const oh = outSize(w.H, w.stride), ow = outSize(w.W, w.stride);
    const pt = Math.floor((w.R - 1) / 2), pl = Math.floor((w.S - 1) / 2);
    const pad = [[0, 0], [pt, Math.max(0, (oh - 1) * w.stride + w.R - w.H - pt)], [pl, Math.max(0, (ow - 1) * w.stride + w.S - w.W - pl)], [0, 0]];
    const x = tf.tensor(rnd(w.N * w.H * w.W * w.C), [w.N, w.H, w.W, w.C]);
    const f = tf.tensor(rnd(w.R * w.S * w.C * w.K), [w.R, w.S, w.C, w.K]);
    const b = tf.tensor(rnd(w.K), [w.K]);
    row(label, k, 'forward', flops(w), await time(async () => {
      const y = tf.fused.conv2d({ x, filter: f, strides: w.stride, pad, bias: b });
      await y.data();
      y.dispose();
    }));
    if (k === 'A') {
      const dy = tf.tensor(rnd(w.N * oh * ow * w.K), [w.N, oh, ow, w.K]);
      row(label, k, 'backward dx', flops(w), await time(async () => {
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { strides: [w.stride, w.stride], pad, dataFormat: 'NHWC', inputShape: [w.N, w.H, w.W, w.C] });
        await dx.data();
        dx.dispose();
      }));
      rows.push({ impl: label, workload: k, op: 'backward dW', ms: 'n/a', 'GFLOP/s wall': "no 'Conv2DBackpropFilter' kernel" });
      dy.dispose();
    }
    x.dispose();
    f.dispose();
    b.dispose();
  }
}

console.error(`# node ${process.version}, reps ${REPS}, load average ${(await import('node:os')).loadavg().map((v) => v.toFixed(1)).join(' ')}`);
await convkit('wasm', wasmBackend);
if (!args.includes('--no-js')) await convkit('js', jsBackend);
if (!args.includes('--no-tfjs')) await tfjs();
console.table(rows);
