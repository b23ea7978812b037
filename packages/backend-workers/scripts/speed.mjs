#!/usr/bin/env node
// Speed of the workers backend against backend-js (one thread) on the shape:
// conv2d forward and backward, N=8, C=32, 64x64, K=64, 3x3 'same'. Not a test: run by hand,
//   pnpm --filter @convkit/backend-workers speed [-- --reps 7 --workers 2]
// js and workers runs alternate, so both see the same machine load; the load average is printed
// because the machine may be shared.
import os from 'node:os';
import { Context } from '@convkit/core';
import { createJsBackend } from '@convkit/backend-js';
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

// wall time, and CPU time of the whole process (all threads) in `cpu`
const cpu = { jsF: 0, wkF: 0, jsB: 0, wkB: 0 };
async function time(f, key) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const dt = performance.now() - t0;
  const c = process.cpuUsage(c0);
  cpu[key] += (c.user + c.system) / 1000;
  return dt;
}

const js = new Context(createJsBackend());
const wk = new Context(await createWorkersBackend({ workers, tasksPerWorker: arg('tpw', 4) }));
const load0 = os.loadavg();
console.log(
  `conv2d N=${N} C=${C} ${H}x${W} K=${K} 3x3 'same', ${reps} alternating reps after a warm-up; ` +
    `${os.availableParallelism()} cores, ${workers} workers; load avg ${load0.map((l) => l.toFixed(2)).join(' ')}`,
);
const a = setup(js);
const b = setup(wk);
await a.fwd();
await a.bwd();
await b.fwd(); // starts the workers, warms their JIT and scratch
await b.bwd();
const t = { jsF: [], wkF: [], jsB: [], wkB: [] };
for (let i = 0; i < reps; i++) {
  t.jsF.push(await time(a.fwd, 'jsF'));
  t.wkF.push(await time(b.fwd, 'wkF'));
  t.jsB.push(await time(a.bwd, 'jsB'));
  t.wkB.push(await time(b.bwd, 'wkB'));
}
const med = (v) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
const min = (v) => Math.min(...v);
const f = (v) => `${med(v).toFixed(1)} ms (min ${min(v).toFixed(1)})`;
console.log(`js      (${js.engine}): forward ${f(t.jsF)}, backward ${f(t.jsB)}`);
console.log(`workers (${wk.engine}): forward ${f(t.wkF)}, backward ${f(t.wkB)}`);
console.log(
  `speed-up, median: forward ${(med(t.jsF) / med(t.wkF)).toFixed(2)}x, backward ${(med(t.jsB) / med(t.wkB)).toFixed(2)}x; ` +
    `best-of: forward ${(min(t.jsF) / min(t.wkF)).toFixed(2)}x, backward ${(min(t.jsB) / min(t.wkB)).toFixed(2)}x (target >= 1.8x on 2 cores)`,
);
const sum = (v) => v.reduce((p, q) => p + q, 0);
console.log(
  `CPU time per op (all threads): js forward ${(cpu.jsF / reps).toFixed(0)} ms, workers ${(cpu.wkF / reps).toFixed(0)} ms; ` +
    `js backward ${(cpu.jsB / reps).toFixed(0)} ms, workers ${(cpu.wkB / reps).toFixed(0)} ms. ` +
    `Share of a core the runs got: js ${((100 * (cpu.jsF + cpu.jsB)) / sum([...t.jsF, ...t.jsB])).toFixed(0)}%, ` +
    `workers ${((100 * (cpu.wkF + cpu.wkB)) / sum([...t.wkF, ...t.wkB])).toFixed(0)}% (200% = both cores, idle machine)`,
);
console.log(`load avg after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
await wk.dispose();
await js.dispose();
