#!/usr/bin/env node
// The device-independent speed proxies of the webgpu engine, per op of issue 17's workloads, for
// the WGSL kernels (default) and the gpu.js-language kernels (`wgsl: false`): dispatches, modeled
// bytes loaded / stored on the device, outputs per thread, and what one read of the op's output
// costs (device copies, mapAsync calls, host copies). Counts, not times: they are the same on
// SwiftShader and on a GPU. Runs on the built package (pnpm --filter @convkit/backend-gpujs build).
//
//   node scripts/webgpu-counters.mjs [--only gemm-1024,conv-A,...] [--skip-large] [--json out.json]
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { Registry, createContext } from '@convkit/core';
import { register } from '../dist/index.js';

const { values: opt } = parseArgs({
  options: {
    only: { type: 'string' },
    'skip-large': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!globalThis.navigator?.gpu) {
  const { create, globals } = createRequire(import.meta.url)('webgpu');
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true, writable: true });
}

const conv = (N, C, H, K, k, o = {}) => ({ kind: 'conv', x: [N, C, H, H], w: [K, C, k, k], o });
const WORKLOADS = {
  'conv-A': conv(8, 32, 64, 64, 3),
  'conv-B': conv(64, 1, 28, 32, 5),
  'conv-C': conv(1, 3, 224, 64, 7, { stride: 2 }),
  'conv-D': conv(8, 64, 32, 128, 1),
  'conv-3.7G': { ...conv(32, 64, 56, 64, 3), large: true },
  'conv-A-bwd': { ...conv(8, 32, 64, 64, 3), kind: 'convbwd' },
  'gemm-1024': { kind: 'gemm', m: 1024, n: 1024, k: 1024 },
  'gemm-2048': { kind: 'gemm', m: 2048, n: 2048, k: 2048, large: true },
  maxpool: { kind: 'maxpool', x: [8, 64, 64, 64] },
};
const only = opt.only ? new Set(opt.only.split(',')) : null;

function fill(n, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}
const KEYS = ['launches', 'bytesRead', 'bytesWritten', 'threads', 'outputs', 'readCopies', 'mapAsyncs', 'hostCopies'];
const snap = (ctx) => ({ ...ctx.memory().backend });
const delta = (a, b) => Object.fromEntries(KEYS.map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));

async function measure(ctx, w) {
  const ts = [];
  const t = (data, shape) => {
    const x = ctx.tensor(data, shape);
    ts.push(x);
    return x;
  };
  let run;
  if (w.kind === 'gemm') {
    const a = t(fill(w.m * w.k, 1), [w.m, w.k]);
    const b = t(fill(w.k * w.n, 2), [w.k, w.n]);
    run = async () => [await ctx.gemm(a, b)];
  } else if (w.kind === 'conv' || w.kind === 'convbwd') {
    const x = t(fill(w.x.reduce((p, v) => p * v), 3), w.x);
    const wt = t(fill(w.w.reduce((p, v) => p * v), 4), w.w);
    const bias = t(fill(w.w[0], 5), [w.w[0]]);
    if (w.kind === 'conv') run = async () => [await ctx.conv2d(x, wt, { ...w.o, bias })];
    else {
      const y = await ctx.conv2d(x, wt, w.o);
      ts.push(y);
      run = async () => {
        const r = await ctx.conv2dBackward(x, wt, y, w.o);
        return [r.dx, r.dw, r.db];
      };
    }
  } else {
    const x = t(fill(w.x.reduce((p, v) => p * v), 6), w.x);
    run = async () => {
      const r = await ctx.maxpool2d(x, { kernel: 2 });
      return [r.y, r.indices];
    };
  }
  // uploads every input (relu is a cheap kernel that reads it), so the op's counters are its own
  for (const x of [...ts]) (await ctx.relu(x)).dispose();
  const s0 = snap(ctx);
  const outs = await run();
  const s1 = snap(ctx);
  await outs[0].read();
  const s2 = snap(ctx);
  for (const o of [...outs, ...ts]) o.dispose();
  const op = delta(s0, s1);
  const rd = delta(s1, s2);
  return {
    dispatches: op.launches,
    bytesRead: op.bytesRead,
    bytesWritten: op.bytesWritten,
    outputsPerThread: +(op.outputs / op.threads).toFixed(2),
    read: { copies: rd.readCopies, mapAsyncs: rd.mapAsyncs, hostCopies: rd.hostCopies },
  };
}

const reg = register(new Registry());
const rows = [];
for (const [name, w] of Object.entries(WORKLOADS)) {
  if (only && !only.has(name)) continue;
  if (w.large && opt['skip-large']) continue;
  const row = { workload: name };
  for (const [label, wgsl] of [['wgsl', true], ['gpujs', false]]) {
    const ctx = await createContext({ backend: 'gpujs', registry: reg, backendOptions: { mode: 'webgpu', wgsl } });
    if (ctx.engine !== 'webgpu') throw new Error(`ran on ${ctx.engine}`);
    row[label] = await measure(ctx, w);
    await ctx.dispose();
  }
  rows.push(row);
  const f = (r) => `${r.dispatches} disp, ${(r.bytesRead / 2 ** 20).toFixed(1)} MiB rd, ${(r.bytesWritten / 2 ** 20).toFixed(1)} MiB wr, ${r.outputsPerThread} out/thr, read ${r.read.copies}c/${r.read.mapAsyncs}m/${r.read.hostCopies}h`;
  console.log(`${name.padEnd(11)} wgsl: ${f(row.wgsl)} | gpu.js: ${f(row.gpujs)}`);
}
if (opt.json) writeFileSync(opt.json, JSON.stringify(rows, null, 2));
// Dawn keeps the event loop alive after the last device is released
process.exit(0);
