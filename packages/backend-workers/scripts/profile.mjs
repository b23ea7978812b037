#!/usr/bin/env node
// Where the time of one conv2d forward op goes in the workers backend (wasm kernels), for the
// benchmark workloads A-D of apps/bench, next to the single-thread wasm backend.
// Not a test: run by hand (after a build),
//   node packages/backend-workers/scripts/profile.mjs [--reps 15 --workers 2 --only A,B]
// Per op (median over reps; the two backends alternate within each rep):
//   host prep   ctx.conv2d called -> first task posted (output SharedArrayBuffer, tiles, messages)
//   pool        first task posted -> last answer back
//   read        t.read() of the output (copy out of the SharedArrayBuffer)
//   total       conv2d + read + dispose, as the benchmark times it
// Per task (median over every task; absolute clocks, performance.timeOrigin + now()):
//   dispatch    host post -> worker received it
//   args        worker: buffers mapped, arguments resolved
//   copy-in     inputs copied into the worker's wasm memory
//   kernel      the SIMD driver
//   copy-out    output range copied into the shared output
//   return      worker posted the answer -> host received it
// Tasks that do not run the conv2d wasm path report only args and the rest as 'kernel'.
import os from 'node:os';
import { Context } from '@convkit/core';
import { createWasmBackend } from '@convkit/backend-wasm';
import { createWorkersBackend } from '../dist/index.js';
import { workerPool } from '../dist/testing.js';

const argv = process.argv;
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i > 0 ? argv[i + 1] : dflt;
};
const reps = Number(opt('reps', 15));
// --host: the hostThread option (the main thread computes a share; default workers = cores - 1)
const hostThread = argv.includes('--host');
const workers = Number(opt('workers', hostThread ? Math.max(1, os.availableParallelism() - 1) : os.availableParallelism()));
const only = opt('only', 'A,B,C,D').split(',');
// --timeline: also print the last rep's tasks (worker, posted / received / finished / answer back, ms from the first post)
const timeline = argv.includes('--timeline');

const SHAPES = {
  A: { N: 8, C: 32, H: 64, W: 64, K: 64, R: 3, S: 3, stride: 1 },
  B: { N: 64, C: 1, H: 28, W: 28, K: 32, R: 5, S: 5, stride: 1 },
  C: { N: 1, C: 3, H: 224, W: 224, K: 64, R: 7, S: 7, stride: 2 },
  D: { N: 8, C: 64, H: 32, W: 32, K: 128, R: 1, S: 1, stride: 1 },
};

function rand(n, seed) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = a / 4294967296 - 0.5;
  }
  return out;
}

const med = (a) => {
  if (!a.length) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1];
};
const f = (v) => (Number.isFinite(v) ? v.toFixed(2).padStart(7) : '      -');
const now = () => performance.timeOrigin + performance.now();

const wctx = new Context(await createWorkersBackend({ workers, hostThread }));
const sctx = new Context(createWasmBackend());
const pool = workerPool(wctx.backend);

console.log(`node ${process.version}, ${os.cpus().length} cpus, ${workers} workers, engine ${wctx.engine}, ${reps} reps`);
console.log(`load average at start: ${os.loadavg().map((v) => v.toFixed(2)).join(' / ')}`);

for (const id of only) {
  const s = SHAPES[id];
  const pad = Math.floor(s.R / 2);
  const opts = { stride: s.stride, padding: s.stride === 1 && s.R > 1 ? 'same' : pad };
  const mk = (ctx) => ({
    x: ctx.tensor(rand(s.N * s.C * s.H * s.W, 1), [s.N, s.C, s.H, s.W]),
    w: ctx.tensor(rand(s.K * s.C * s.R * s.S, 2), [s.K, s.C, s.R, s.S]),
    b: ctx.tensor(rand(s.K, 3), [s.K]),
  });
  const wt = mk(wctx);
  const st = mk(sctx);
  const rows = { prep: [], pool: [], read: [], total: [], single: [], singleRead: [] };
  const tasks = { dispatch: [], args: [], copyIn: [], kernel: [], copyOut: [], ret: [], count: [] };
  let flops = 0;
  for (let r = 0; r < reps + 2; r++) {
    const warm = r < 2;
    // single-thread wasm backend
    let t0 = now();
    const ys = await sctx.conv2d(st.x, st.w, { bias: st.b, ...opts });
    const t1 = now();
    await ys.read();
    const t2 = now();
    ys.dispose();
    if (!warm) {
      rows.single.push(now() - t0);
      rows.singleRead.push(t2 - t1);
    }
    flops = 2 * ys.shape.reduce((a, b) => a * b, 1) * s.C * s.R * s.S;
    // workers backend, every task timed
    pool.profile = [];
    t0 = now();
    const y = await wctx.conv2d(wt.x, wt.w, { bias: wt.b, ...opts });
    const t3 = now();
    await y.read();
    const t4 = now();
    y.dispose();
    const t5 = now();
    const prof = pool.profile;
    pool.profile = null;
    if (warm) continue;
    if (timeline && r === reps + 1) {
      const base = Math.min(...prof.map((p) => p.post));
      console.log(`  timeline of the last ${id} op (ms from the first post; op called at ${f(t0 - base)}, read done at ${f(t4 - base)}):`);
      for (const p of prof) {
        const tm = p.tm;
        console.log(`    worker ${p.worker} ${String(p.kernel ?? p.op).padEnd(14)} posted ${f(p.post - base)} received ${f(tm[0] - base)} done ${f(tm[tm.length - 1] - base)} back ${f(p.back - base)}`);
      }
    }
    const firstPost = Math.min(...prof.map((p) => p.post));
    const lastBack = Math.max(...prof.map((p) => p.back));
    rows.prep.push(firstPost - t0);
    rows.pool.push(lastBack - firstPost);
    rows.read.push(t4 - t3);
    rows.total.push(t5 - t0);
    tasks.count.push(prof.length);
    for (const p of prof) {
      const tm = p.tm;
      const end = tm[tm.length - 1];
      tasks.dispatch.push(tm[0] - p.post);
      tasks.args.push(tm[1] - tm[0]);
      if (tm.length === 6) {
        tasks.copyIn.push(tm[2] - tm[1]);
        tasks.kernel.push(tm[3] - tm[2]);
        tasks.copyOut.push(tm[4] - tm[3]);
      } else tasks.kernel.push(end - tm[1]);
      tasks.ret.push(p.back - end);
    }
  }
  const gf = (ms) => (flops / ms / 1e6).toFixed(1);
  console.log(`\nworkload ${id} (${JSON.stringify(s)}), ${(flops / 1e9).toFixed(3)} GFLOP`);
  console.log(`  single-thread wasm: total ${f(med(rows.single))} ms (${gf(med(rows.single))} GFLOP/s), of which read ${f(med(rows.singleRead))} ms`);
  console.log(
    `  workers:            total ${f(med(rows.total))} ms (${gf(med(rows.total))} GFLOP/s) = host prep ${f(med(rows.prep))}` +
      ` + pool ${f(med(rows.pool))} + read ${f(med(rows.read))} (+ dispose/await)`,
  );
  console.log(
    `  per task (${med(tasks.count)} tasks/op): dispatch ${f(med(tasks.dispatch))} args ${f(med(tasks.args))}` +
      ` copy-in ${f(med(tasks.copyIn))} kernel ${f(med(tasks.kernel))} copy-out ${f(med(tasks.copyOut))} return ${f(med(tasks.ret))} ms`,
  );
}
console.log(`\nload average at end: ${os.loadavg().map((v) => v.toFixed(2)).join(' / ')}`);
await wctx.dispose();
await sctx.dispose();
