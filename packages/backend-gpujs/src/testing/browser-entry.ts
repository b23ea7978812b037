/**
 * Entry of the browser test bundle: exposes `globalThis.gpujsSuite` for the playwright-driven
 * vitest test (src/browser.test.ts). Runs the same conformance cases as Node.
 */
import { Registry, createContext, type Context } from '@convkit/core';
import { register, GpujsBackend, probeModes, type GpujsMode } from '../index.js';
import { buildCases, buildConvCases, fetchGolden, runCases, type Level, type CaseResult } from './cases.js';

function reg(): Registry {
  const r = new Registry();
  register(r);
  return r;
}

async function run(mode: GpujsMode, level: Level, large: [number, number, number, number]): Promise<{ engine: string; renderer: string; software: boolean; results: CaseResult[] }> {
  const env = fetchGolden('/golden');
  const results: CaseResult[] = [];
  let engine = '';
  let renderer = '';
  let software = false;
  for (const algo of ['auto', 'im2col', 'direct'] as const) {
    const ctx: Context = await createContext({ backend: 'gpujs', registry: reg(), backendOptions: { mode, convAlgorithm: algo } });
    try {
      engine = ctx.engine;
      const be = ctx.backend as GpujsBackend;
      renderer = be.renderer.renderer;
      software = be.renderer.software;
      const cases = algo === 'auto' ? buildCases({ level, algo, large, golden: true }) : buildConvCases({ level, algo });
      results.push(...(await runCases(ctx, cases, env, mode)));
    } finally {
      await ctx.dispose();
    }
  }
  return { engine, renderer, software, results };
}

/** Loses the WebGL context between ops: the next op and any read of device data must throw. */
async function lostContext(mode: GpujsMode): Promise<{ before: number[]; opError: string; readError: string; hostRead: number[] }> {
  const be = await GpujsBackend.create({ mode });
  const r = new Registry().register({ name: 'b', priority: 1, probe: () => true, create: () => be });
  const ctx = await createContext({ backend: 'b', registry: r });
  const x = ctx.tensor([1, -1, 2, -2], [4]);
  const y = await ctx.relu(x);
  const before = Array.from(await y.read());
  const z = await ctx.relu(y);
  be.loseContextForTesting();
  let opError = '';
  let readError = '';
  try {
    await ctx.relu(y);
  } catch (e) {
    opError = String((e as Error).message);
  }
  try {
    await z.read();
  } catch (e) {
    readError = String((e as Error).message);
  }
  const hostRead = Array.from(await x.read()); // host-side copies stay readable
  await ctx.dispose();
  return { before, opError, readError, hostRead };
}

(globalThis as unknown as { gpujsSuite: unknown }).gpujsSuite = {
  run,
  lostContext,
  probe: probeModes,
};
