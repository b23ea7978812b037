/**
 * Entry of the browser test bundle: exposes `globalThis.gpujsSuite` for the playwright-driven
 * vitest test (src/browser.test.ts). Runs the same conformance cases as Node.
 */
import { Context, Registry, createContext } from '@convkit/core';
import { register, createGpujsBackend, probeModes, type GpujsBackend, type GpujsMode } from '../index.js';
import { buildCases, buildConvCases, fetchGolden, runCases, type Level, type CaseResult } from './cases.js';
import { GoldenStore, capabilitiesFor, fetchReader, fetchUwnetReader, runCase, type GoldenCase } from '@convkit/conformance/browser';

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
async function lostContext(mode: GpujsMode): Promise<{ before: number[]; opError: string; readError: string; hostRead: number[]; otherError: string }> {
  const be = await createGpujsBackend({ mode });
  // webgpu: a second backend on the same (shared) device learns of the loss only through the
  // device's lost promise, not through the test hook
  const other = mode === 'webgpu' ? new Context(await createGpujsBackend({ mode })) : null;
  const ox = other ? other.tensor([3, -3], [2]) : null;
  const oy = other && ox ? await other.relu(ox) : null;
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
  let otherError = '';
  if (other && oy) {
    await new Promise((ok) => setTimeout(ok, 100)); // let device.lost resolve
    try {
      await oy.read();
      await other.relu(ox!);
    } catch (e) {
      otherError = String((e as Error).message);
    }
    await other.dispose();
  }
  await ctx.dispose();
  return { before, opError, readError, hostRead, otherError };
}

/**
 * The shared golden set of @convkit/conformance (served at /cgolden/, uwnet at /golden/), every
 * `every`-th case per op; asserts nothing itself, returns the results and the engine that ran.
 */
async function golden(
  mode: GpujsMode,
  every: number,
): Promise<{ engine: string; total: number; results: { id: string; status: string; message: string; engine: string; supported: boolean }[] }> {
  const store = await GoldenStore.open(fetchReader(new URL('/cgolden/', location.href).href), fetchUwnetReader(new URL('/golden/', location.href).href));
  const all = store.listCases();
  const seen = new Map<string, number>();
  const pick: GoldenCase[] = [];
  for (const c of all) {
    const i = seen.get(c.op) ?? 0;
    seen.set(c.op, i + 1);
    if (i % every === 0) pick.push(c);
  }
  const ctx = new Context(await createGpujsBackend({ mode }));
  const results = [];
  try {
    for (const c of pick) {
      const r = await runCase(c, ctx, undefined, store);
      // supported: every kernel the case needs is in gpujs's table (else it must say not-implemented)
      const supported = capabilitiesFor(c).every((k) => ctx.backend.capabilities.has(k));
      results.push({ id: c.id, status: r.status, message: r.message, engine: ctx.lastRun?.engine ?? ctx.engine, supported });
    }
    return { engine: ctx.engine, total: all.length, results };
  } finally {
    await ctx.dispose();
  }
}

(globalThis as unknown as { gpujsSuite: unknown }).gpujsSuite = {
  run,
  golden,
  lostContext,
  probe: probeModes,
};
