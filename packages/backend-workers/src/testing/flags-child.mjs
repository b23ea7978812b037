// Child process of flags.test.ts, run as `node <flag> flags-child.mjs` (or its text through
// `node --input-type=module <flag> -e`, cwd = the package): probes the workers backend, lets 'auto'
// pick it, runs conv2d, gemm and maxpool2d split over 2 workers and prints the results as JSON
// (the test checks them against @convkit/reference). Input: CONVKIT_FLAGS_INPUT (JSON).
import { Registry, createContext } from '@convkit/core';
import { jsBackend } from '@convkit/backend-js';
import { workersBackend } from '@convkit/backend-workers';
import { workerPool } from '@convkit/backend-workers/testing';

const inp = JSON.parse(process.env.CONVKIT_FLAGS_INPUT);
const out = { execArgv: process.execArgv.filter((a) => !a.includes('\n')) };
try {
  out.probe = await workersBackend.probe();
  // the workers descriptor with its probe, creating a pool of 2 that splits every op (core refuses
  // backendOptions under 'auto' that js does not take)
  const workers2 = { ...workersBackend, create: (o) => workersBackend.create({ ...o, workers: 2, minTaskWork: 1 }) };
  const registry = new Registry().register(jsBackend).register(workers2);
  const ctx = await createContext({ backend: 'auto', registry });
  out.backend = ctx.backendName;
  const x = ctx.tensor(inp.x, inp.xShape);
  const w = ctx.tensor(inp.w, inp.wShape);
  const y = await ctx.conv2d(x, w, { padding: 'same' });
  out.conv = { shape: y.shape, values: Array.from(await y.read()) };
  const g = await ctx.gemm(ctx.tensor(inp.a, inp.aShape), ctx.tensor(inp.b, inp.bShape));
  out.gemm = { shape: g.shape, values: Array.from(await g.read()) };
  const p = await ctx.maxpool2d(x, { kernel: 2, stride: 2 });
  out.pool = { shape: p.y.shape, values: Array.from(await p.y.read()), indices: Array.from(await p.indices.read()) };
  out.engine = ctx.engine;
  out.spawned = workerPool(ctx.backend).spawnedWorkers;
  out.tasks = workerPool(ctx.backend).stats.tasks;
  await ctx.dispose();
} catch (e) {
  out.error = String(e?.stack ?? e);
}
console.log(JSON.stringify(out));
