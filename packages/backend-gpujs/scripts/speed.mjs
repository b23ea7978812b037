#!/usr/bin/env node
// Rough timings of the gpujs backend in Node (not a test; the benchmark app is the real measure).
// usage: xvfb-run -a node scripts/speed.mjs [webasm|headlessgl ...]
import { Registry, createContext } from '@convkit/core';
import { register } from '../dist/index.js';

const modes = process.argv.slice(2).length ? process.argv.slice(2) : ['webasm', 'headlessgl'];
const rand = (n) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5);

async function time(label, f, reps = 5) {
  await f(); // compile + warm up
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await f();
  const ms = (performance.now() - t0) / reps;
  console.log(`${label.padEnd(58)} ${ms.toFixed(1)} ms`);
}

for (const mode of modes) {
  for (const algo of ['direct', 'im2col']) {
    let ctx;
    try {
      ctx = await createContext({ backend: 'gpujs', registry: register(new Registry()), backendOptions: { mode, convAlgorithm: algo } });
    } catch (e) {
      console.log(`${mode}: unavailable: ${e.message}`);
      break;
    }
    const x = ctx.tensor(rand(10 * 16 * 32 * 64), [10, 16, 32, 64]);
    const w = ctx.tensor(rand(32 * 16 * 3 * 3), [32, 16, 3, 3]);
    await time(`${ctx.engine} conv2d fwd 10x16x32x64 * 32x16x3x3 [${algo}] +read`, async () => {
      const y = await ctx.conv2d(x, w);
      await y.read();
      y.dispose();
    });
    if (algo === 'direct') {
      const a = ctx.tensor(rand(256 * 256), [256, 256]);
      await time(`${ctx.engine} gemm 256x256x256 +read`, async () => {
        const c = await ctx.gemm(a, a);
        await c.read();
        c.dispose();
      });
      await time(`${ctx.engine} maxpool 3x3 s2 on 10x16x32x64 (+read y and indices)`, async () => {
        const r = await ctx.maxpool2d(x, { kernel: 3, stride: 2 });
        await r.y.read();
        await r.indices.read();
        r.y.dispose();
        r.indices.dispose();
      });
    }
    await ctx.dispose();
  }
}
