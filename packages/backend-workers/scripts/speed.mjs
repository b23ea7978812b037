#!/usr/bin/env node
// Speed of the workers backend on the shape A (conv2d N=8, C=32, 64x64, K=64, 3x3 'same'),
// forward and backward (dx, dW, db), four contenders:
//   workers(wasm)  the workers backend with the WebAssembly SIMD kernels (kernels 'auto'/'wasm')
//   workers(js)    the workers backend with the js kernels (kernels 'js')
//   js             @convkit/backend-js, one thread
//   wasm           @convkit/backend-wasm, one thread (the same SIMD kernels)
// Not a test: run by hand (after a build),
//   pnpm --filter @convkit/backend-workers speed [-- --reps 7 --workers 2 --tpw 4 --n 8 --c 32 --h 64 --k 64]
// The contenders alternate within each rep, so all see the same machine load; the load average is
// printed because the machine may be shared.
import os from 'node:os';
import { Context } from '@convkit/core';
import { createJsBackend } from '@convkit/backend-js';
import { createWasmBackend } from '@convkit/backend-wasm';
import { createWorkersBackend } from '../dist/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const reps = arg('reps', 5);
const workers = arg('workers', os.availableParallelism());
const [N, C, H, W, K] = [arg('n', 8), arg('c', 32), arg('h', 64), arg('h', 64), arg('k', 64)];

function rand(n, seed) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = a / 4294967296 - 0.5;
  }
  return out;
}

function setup(ctx) {
  const x = ctx.tensor(rand(N * C * H * W, 1), [N, C, H, W]);
  const w = ctx.tensor(rand(K * C * 9, 2), [K, C, 3, 3]);
  const b = ctx.tensor(rand(K, 3), [K]);
  const dy = ctx.tensor(rand(N * K * H * W, 4), [N, K, H, W]);
  return {
    fwd: async () => (await ctx.conv2d(x, w, { bias: b })).dispose(),
    bwd: async () => {
      const g = await ctx.conv2dBackward(x, w, dy);
      g.dx.dispose();
      g.dw.dispose();
      g.db.dispose();
    },
  };
}

const contenders = [
  ['workers(wasm)', new Context(await createWorkersBackend({ workers, tasksPerWorker: arg('tpw', 4), kernels: 'auto' }))],
  ['workers(js)', new Context(await createWorkersBackend({ workers, tasksPerWorker: arg('tpw', 4), kernels: 'js' }))],
  ['js', new Context(createJsBackend())],
  ['wasm', new Context(createWasmBackend())],
].map(([name, ctx]) => ({ name, ctx, ops: setup(ctx), t: { fwd: [], bwd: [] }, cpu: { fwd: 0, bwd: 0 } }));

// wall time, and CPU time of the whole process (all threads)
async function time(c, key) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await c.ops[key]();
  c.t[key].push(performance.now() - t0);
  const u = process.cpuUsage(c0);
  c.cpu[key] += (u.user + u.system) / 1000;
}

const load0 = os.loadavg();
console.log(
  `conv2d N=${N} C=${C} ${H}x${W} K=${K} 3x3 'same', ${reps} alternating reps after a warm-up; ` +
    `${os.availableParallelism()} cores, ${workers} workers; load avg ${load0.map((l) => l.toFixed(2)).join(' ')}`,
);
for (const c of contenders) {
  await c.ops.fwd(); // starts the workers, warms their JIT, wasm memory and scratch
  await c.ops.bwd();
}
for (let i = 0; i < reps; i++) {
  for (const key of ['fwd', 'bwd']) for (const c of contenders) await time(c, key);
}
const med = (v) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
const min = (v) => Math.min(...v);
const f = (v) => `${med(v).toFixed(1).padStart(7)} ms (min ${min(v).toFixed(1).padStart(6)})`;
const js = contenders.find((c) => c.name === 'js');
const sum = (v) => v.reduce((p, q) => p + q, 0);
console.log('');
console.log(`${'contender'.padEnd(14)} ${'engine'.padEnd(30)} ${'forward median'.padEnd(26)} ${'backward median'.padEnd(26)} vs js (median fwd / bwd)   CPU ms/op fwd / bwd   core share`);
for (const c of contenders) {
  const share = (100 * (c.cpu.fwd + c.cpu.bwd)) / sum([...c.t.fwd, ...c.t.bwd]);
  console.log(
    `${c.name.padEnd(14)} ${c.ctx.engine.padEnd(30)} ${f(c.t.fwd)}  ${f(c.t.bwd)}  ` +
      `${(med(js.t.fwd) / med(c.t.fwd)).toFixed(2).padStart(6)}x / ${(med(js.t.bwd) / med(c.t.bwd)).toFixed(2).padStart(6)}x      ` +
      `${(c.cpu.fwd / reps).toFixed(0).padStart(5)} / ${(c.cpu.bwd / reps).toFixed(0).padStart(5)}        ${share.toFixed(0)}%`,
  );
}
const [wkw, wkj, , wa] = contenders;
console.log('');
console.log(
  `workers(wasm) vs js, best-of: forward ${(min(js.t.fwd) / min(wkw.t.fwd)).toFixed(2)}x, backward ${(min(js.t.bwd) / min(wkw.t.bwd)).toFixed(2)}x ` +
    `(issue 4 target >= 1.8x on 2 cores); workers(js) vs js, median: forward ${(med(js.t.fwd) / med(wkj.t.fwd)).toFixed(2)}x, ` +
    `backward ${(med(js.t.bwd) / med(wkj.t.bwd)).toFixed(2)}x; workers(wasm) vs wasm (1 thread), median: forward ` +
    `${(med(wa.t.fwd) / med(wkw.t.fwd)).toFixed(2)}x, backward ${(med(wa.t.bwd) / med(wkw.t.bwd)).toFixed(2)}x`,
);
console.log(`core share: CPU time / wall time of the runs (200% = both cores of an idle 2-core machine)`);
console.log(`load avg after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const c of contenders) await c.ctx.dispose();
