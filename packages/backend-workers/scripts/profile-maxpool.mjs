#!/usr/bin/env node
// Where the time of one maxpool2d op (the bench's workload: N=8 C=64 64x64, 2x2/2, values and
// int32 indices, both read back) goes in the workers backend, next to the single-thread wasm
// backend, plus the raw pieces of a worker's task measured on this thread.
// Not a test: run by hand after a build, with the bench's malloc settings for comparable reads:
//   GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456 \
//     node packages/backend-workers/scripts/profile-maxpool.mjs [--reps 60 --workers 2 --host --kernel 3]
// Per op (medians; the two backends alternate within each rep):
//   op / read      ctx.maxpool2d until its promise resolves / y.read() + indices.read()
//   prep / pool    op called -> first task posted / first post -> last answer back
//   dispatch, run, return   per task: host post -> worker received, received -> done, done -> host got the answer
// Raw pieces (this thread, half the planes, as one worker of two gets them): the SIMD kernel on
// data already in wasm memory, the copy of the input into wasm memory, the copies of y and the
// indices out, and WasmRawKernels.maxpool2d (all three, in cache-sized chunks).
import os from 'node:os';
import { Context } from '@convkit/core';
import { createWasmBackend } from '@convkit/backend-wasm';
import { WasmRawKernels } from '@convkit/backend-wasm/internal';
import { createWorkersBackend } from '../dist/index.js';
import { workerPool } from '../dist/testing.js';

const argv = process.argv;
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i > 0 ? argv[i + 1] : dflt;
};
const reps = Number(opt('reps', 60));
const hostThread = argv.includes('--host');
const workers = Number(opt('workers', hostThread ? Math.max(1, os.availableParallelism() - 1) : os.availableParallelism()));
const kernel = Number(opt('kernel', 2));
const [N, C, H, W] = [8, 64, 64, 64];
const pool2d = { kernel, stride: 2 };

const now = () => performance.timeOrigin + performance.now();
const med = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[s.length >> 1] : NaN;
};
const f = (v) => v.toFixed(3).padStart(7);

const wctx = new Context(await createWorkersBackend({ workers, hostThread }));
const sctx = new Context(createWasmBackend());
const pool = workerPool(wctx.backend);
const data = new Float32Array(N * C * H * W);
for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898);
const xs = sctx.tensor(data, [N, C, H, W]);
const xw = wctx.tensor(data, [N, C, H, W]);
const R = { s: [], sop: [], sread: [], w: [], wop: [], wread: [], prep: [], pool: [], disp: [], run: [], ret: [] };
let last = null;
for (let r = 0; r < reps + 3; r++) {
  let t0 = now();
  const a = await sctx.maxpool2d(xs, pool2d);
  const t1 = now();
  await a.y.read();
  await a.indices.read();
  const t2 = now();
  a.y.dispose();
  a.indices.dispose();
  if (r >= 3) {
    R.s.push(now() - t0);
    R.sop.push(t1 - t0);
    R.sread.push(t2 - t1);
  }
  pool.profile = [];
  t0 = now();
  const b = await wctx.maxpool2d(xw, pool2d);
  const t3 = now();
  await b.y.read();
  await b.indices.read();
  const t4 = now();
  b.y.dispose();
  b.indices.dispose();
  const pr = pool.profile;
  pool.profile = null;
  if (r < 3) continue;
  R.w.push(now() - t0);
  R.wop.push(t3 - t0);
  R.wread.push(t4 - t3);
  if (!pr.length) continue; // hostThread: a one-task op ran on the main thread
  const first = Math.min(...pr.map((p) => p.post));
  R.prep.push(first - t0);
  R.pool.push(Math.max(...pr.map((p) => p.back)) - first);
  for (const p of pr) {
    const end = p.tm[p.tm.length - 1];
    R.disp.push(p.tm[0] - p.post);
    R.run.push(end - p.tm[0]);
    R.ret.push(p.back - end);
  }
  last = { t0, t3, t4, pr };
}
const [outH, outW] = [Math.ceil(H / 2), Math.ceil(W / 2)];
const MB = (N * C * H * W + N * C * outH * outW) * 4 / 1e6; // input read + values written, as the bench counts
console.log(`node ${process.version}, ${os.cpus().length} cpus, ${workers} workers${hostThread ? ' + main thread' : ''}, engine ${wctx.engine}, ${kernel}x${kernel}/2, ${reps} reps, load ${os.loadavg()[0].toFixed(2)}`);
console.log(`wasm   : total ${f(med(R.s))} ms (${(MB / med(R.s)).toFixed(1)} GB/s) = op ${f(med(R.sop))} + read ${f(med(R.sread))}`);
console.log(
  `workers: total ${f(med(R.w))} ms (${(MB / med(R.w)).toFixed(1)} GB/s) = op ${f(med(R.wop))} + read ${f(med(R.wread))};` +
    ` prep ${f(med(R.prep))} pool ${f(med(R.pool))}; per task dispatch ${f(med(R.disp))} run ${f(med(R.run))} return ${f(med(R.ret))}`,
);
if (last && argv.includes('--timeline')) {
  const base = Math.min(...last.pr.map((p) => p.post));
  for (const p of last.pr) console.log(`  worker ${p.worker} posted ${f(p.post - base)} received ${f(p.tm[0] - base)} done ${f(p.tm[p.tm.length - 1] - base)} back ${f(p.back - base)}`);
  console.log(`  op called ${f(last.t0 - base)} resolved ${f(last.t3 - base)} read done ${f(last.t4 - base)} (ms from the first post)`);
}

// the raw pieces of one worker's half, on this thread
const raw = new WasmRawKernels();
const { heap, k } = raw;
const P = (N * C) >> 1;
const plane = H * W;
const op = outH * outW;
const sx = new Float32Array(new SharedArrayBuffer(P * plane * 4));
sx.set(data.subarray(0, P * plane));
const sy = new Float32Array(new SharedArrayBuffer(P * op * 4));
const si = new Int32Array(new SharedArrayBuffer(P * op * 4));
const xp = heap.alloc(P * plane * 4);
const yp = heap.alloc(P * op * 4);
const ip = heap.alloc(P * op * 4);
heap.f32(xp, P * plane).set(sx);
const p = {
  N: 1, C: P, inH: H, inW: W, kH: kernel, kW: kernel, strideH: 2, strideW: 2, dilationH: 1, dilationW: 1,
  padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, outH, outW,
};
// 'same' padding of the op: total (out-1)*2 + k - in, the smaller half first
const pad = Math.max(0, (outH - 1) * 2 + kernel - H);
p.padTop = p.padLeft = pad >> 1;
p.padBottom = p.padRight = pad - (pad >> 1);
const T = { kernel: [], copyIn: [], copyOut: [], raw: [] };
for (let i = 0; i < 3 * reps; i++) {
  let t = performance.now();
  k.exports.maxpoolPlanes(xp, P, H, W, kernel, kernel, 2, 2, 1, 1, p.padTop, p.padLeft, outH, outW, yp, ip, 0);
  T.kernel.push(performance.now() - t);
  t = performance.now();
  heap.f32(xp, P * plane).set(sx);
  T.copyIn.push(performance.now() - t);
  t = performance.now();
  sy.set(heap.f32(yp, P * op));
  si.set(heap.i32(ip, P * op));
  T.copyOut.push(performance.now() - t);
  t = performance.now();
  raw.maxpool2d(p, sx, sy, si);
  T.raw.push(performance.now() - t);
}
console.log(`raw, ${P} planes on this thread: kernel ${f(med(T.kernel))} copy-in ${f(med(T.copyIn))} copy-out ${f(med(T.copyOut))} WasmRawKernels.maxpool2d ${f(med(T.raw))} ms`);
await wctx.dispose();
await sctx.dispose();
