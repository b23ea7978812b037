/**
 * The backends the suite runs on, loaded by dynamic import so that a backend whose package is
 * absent or not built is skipped with a printed reason instead of failing the suite.
 *
 * Each target is one (backend, engine) pair: 'gpujs-webasm' and 'gpujs-headlessgl' are the same
 * package on two engines. A target counts only if the engine that really runs is the one asked
 * for (gpu.js quietly falls back to its CPU mode; that never counts).
 *
 * 'gpujs-webgpu' is WebGPU in Node (backend-gpujs's optional `webgpu` package, Dawn; in CI on
 * SwiftShader's Vulkan ICD, which the test script names in VK_ICD_FILENAMES). Where the script made
 * it required (CONVKIT_GPUJS_REQUIRE_WEBGPU=1) a target that cannot start is an error, not a skip,
 * and every context made for it must report engine 'webgpu' and its adapter (SwiftShader and
 * software when the ICD is SwiftShader's).
 */
import { Context, Registry, createContext, type BackendDescriptor } from '@convkit/core';

export interface Target {
  /** 'js' | 'workers' | 'wasm' | 'gpujs-webasm' | 'gpujs-headlessgl' | 'gpujs-webgpu' */
  id: string;
  pkg: string;
  /** backend name in the registry */
  backend: string;
  /** backend options for create() */
  options?: unknown;
  /** the engine this target must report */
  engine: (e: string) => boolean;
  /** 'cpu' targets must reach the full fuzz budget; 'gl' (software GL) and 'webgpu' run a stated smaller share */
  kind: 'cpu' | 'gl' | 'webgpu';
  /** when true, a target that cannot start fails the suite instead of being skipped */
  required?: () => boolean;
  /** checks a fresh context beyond its engine (the webgpu adapter); returns what is wrong, or null */
  check?: (ctx: Context) => string | null;
  /**
   * Runs only in the suites that ask for it (loadAll(only, { optIn: true })); elsewhere it is
   * reported as skipped with this reason.
   */
  optIn?: string;
}

interface AdapterLike {
  vendor: string;
  architecture: string;
  description: string;
  software: boolean;
}

/** The webgpu target's adapter check: reported, and SwiftShader + software when VK_ICD_FILENAMES names SwiftShader. */
export function checkWebgpuAdapter(ctx: Context): string | null {
  const a = (ctx.backend as unknown as { adapter?: AdapterLike | null }).adapter;
  if (!a) return 'the webgpu backend reports no adapter';
  const icd = `${process.env.VK_ICD_FILENAMES ?? ''}${process.env.VK_DRIVER_FILES ?? ''}`;
  if (/swiftshader/i.test(icd)) {
    if (!/swiftshader/i.test(`${a.vendor} ${a.architecture} ${a.description}`)) return `adapter '${a.description}' is not SwiftShader although ${icd} is`;
    if (a.software !== true) return `SwiftShader adapter not reported as software`;
  }
  return null;
}

/** '<description> (software)' of a webgpu context, for the suites' log lines. */
export function adapterText(ctx: Context): string {
  const a = (ctx.backend as unknown as { adapter?: AdapterLike | null }).adapter;
  return a ? `${[a.vendor, a.architecture, a.description].filter(Boolean).join(' / ')}${a.software ? ' (software)' : ''}` : 'no adapter';
}

export const TARGETS: Target[] = [
  { id: 'js', pkg: '@convkit/backend-js', backend: 'js', engine: (e) => e === 'js', kind: 'cpu' },
  {
    id: 'workers',
    pkg: '@convkit/backend-workers',
    backend: 'workers',
    // two workers and minTaskWork 1: every op is split over both workers, so partition edges are fuzzed too
    options: { workers: 2, minTaskWork: 1 },
    engine: (e) => e.startsWith('worker_threads'),
    kind: 'cpu',
  },
  {
    id: 'wasm',
    pkg: '@convkit/backend-wasm',
    backend: 'wasm',
    // WebAssembly SIMD; without SIMD the backend falls back to the js kernels, which js already covers
    engine: (e) => e === 'wasm-simd',
    kind: 'cpu',
  },
  {
    id: 'gpujs-webasm',
    pkg: '@convkit/backend-gpujs',
    backend: 'gpujs',
    options: { mode: 'webasm' },
    engine: (e) => e === 'webasm',
    kind: 'cpu',
  },
  {
    id: 'gpujs-headlessgl',
    pkg: '@convkit/backend-gpujs',
    backend: 'gpujs',
    options: { mode: 'headlessgl' },
    engine: (e) => e === 'headlessgl',
    kind: 'gl',
  },
  {
    id: 'gpujs-webgpu',
    pkg: '@convkit/backend-gpujs',
    backend: 'gpujs',
    options: { mode: 'webgpu' },
    engine: (e) => e === 'webgpu',
    kind: 'webgpu',
    required: () => process.env.CONVKIT_GPUJS_REQUIRE_WEBGPU === '1',
    check: checkWebgpuAdapter,
    // the suites issue 17 asks for on WebGPU in Node, badinput (issue 18) and ieee (softmaxCrossEntropy
    // is a WGSL kernel on webgpu whose NaN/Inf tests look at bit patterns)
    optIn: 'gpujs-webgpu runs in the fuzz, faults, leak, badinput and ieee suites (not in this one)',
  },
];

function isDescriptor(v: unknown, name: string): v is BackendDescriptor {
  const d = v as BackendDescriptor;
  return !!d && typeof d === 'object' && d.name === name && typeof d.probe === 'function' && typeof d.create === 'function';
}

export interface Loaded {
  target: Target;
  /** why the target is skipped; undefined when it runs */
  skip?: string;
  /** a fresh Context on the target (undefined when skipped) */
  make?: (options?: unknown) => Promise<Context>;
  /** what the probe said */
  info?: string;
}

const cache = new Map<string, Promise<Loaded>>();

/**
 * Loads one target: imports its package, creates a context, checks the engine, disposes it. A
 * required target (CONVKIT_GPUJS_REQUIRE_WEBGPU=1 for gpujs-webgpu) that would be skipped throws.
 */
export function load(t: Target): Promise<Loaded> {
  let p = cache.get(t.id);
  if (!p) {
    p = loadUncached(t).then((l) => {
      if (l.skip && t.required?.()) throw new Error(`reliability: target ${t.id} is REQUIRED here but cannot run: ${l.skip}`);
      return l;
    });
    cache.set(t.id, p);
  }
  return p;
}

async function loadUncached(t: Target): Promise<Loaded> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(/* @vite-ignore */ t.pkg)) as Record<string, unknown>;
  } catch (e) {
    return { target: t, skip: `package ${t.pkg} is absent or not built (${firstLine(e)})` };
  }
  const desc = Object.values(mod).find((v) => isDescriptor(v, t.backend));
  if (!desc) return { target: t, skip: `${t.pkg} exports no BackendDescriptor named '${t.backend}'` };
  const registry = new Registry().register(desc);
  const make = async (options?: unknown) => {
    const c = await createContext({ backend: t.backend, registry, backendOptions: { ...(t.options as object), ...(options as object) } });
    // every context a suite makes runs where the target says (engine, and the adapter where checked)
    const bad = !t.engine(c.engine) ? `engine '${c.engine}' started, not the one ${t.id} needs` : (t.check?.(c) ?? null);
    if (bad) {
      await c.dispose();
      throw new Error(`${t.id}: ${bad}`);
    }
    return c;
  };
  let ctx: Context;
  try {
    ctx = await make();
  } catch (e) {
    return { target: t, skip: `${t.backend} cannot be created here: ${firstLine(e)}` };
  }
  try {
    // one real op, so that lazily started engines (workers, gpu.js kernels) have really run
    const a = ctx.tensor([1, 2, 3, 4], [2, 2]);
    const y = await ctx.gemm(a, a);
    const v = Array.from(await y.read());
    if (v.join() !== '7,10,15,22') return { target: t, skip: `${t.id}: a 2x2 gemm gave ${v.join()}, not 7,10,15,22` };
    if (!t.engine(ctx.engine)) return { target: t, skip: `${t.id}: engine '${ctx.engine}' ran, not the one this target needs` };
    const bad = t.check?.(ctx);
    if (bad) return { target: t, skip: `${t.id}: ${bad}` };
    return { target: t, make, info: `engine ${ctx.engine}${t.kind === 'webgpu' ? `, adapter ${adapterText(ctx)}` : ''}` };
  } catch (e) {
    return { target: t, skip: `${t.id}: a first op failed: ${firstLine(e)}` };
  } finally {
    await ctx.dispose();
  }
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 300);
}

/** Every target, loaded; skipped ones carry their reason. Prints one line per target. */
export async function loadAll(only?: (t: Target) => boolean, o: { optIn?: boolean } = {}): Promise<Loaded[]> {
  const out: Loaded[] = [];
  // CONVKIT_RELIABILITY_TARGETS=js,workers runs only those (the others are reported as skipped)
  const pick = process.env.CONVKIT_RELIABILITY_TARGETS?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const t of TARGETS.filter(only ?? (() => true))) {
    if (pick && !pick.includes(t.id)) {
      out.push({ target: t, skip: `not in CONVKIT_RELIABILITY_TARGETS=${pick.join(',')}` });
      continue;
    }
    if (t.optIn && !o.optIn) {
      out.push({ target: t, skip: t.optIn });
      continue;
    }
    out.push(await load(t));
  }
  return out;
}

export function describeLoaded(l: Loaded): string {
  return l.skip ? `${l.target.id}: SKIPPED: ${l.skip}` : `${l.target.id}: ${l.info}`;
}
