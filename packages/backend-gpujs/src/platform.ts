/**
 * Platform probing: which gpu.js modes can make a real context here, and whether the renderer is
 * a software one (Mesa llvmpipe / softpipe, SwiftShader, ...).
 */
import { GPU, WebGPUContext } from './gpujs.js';

export type GpujsMode = 'headlessgl' | 'webgl2' | 'webgl' | 'webgpu' | 'webasm';
export const GPUJS_MODES: readonly GpujsMode[] = ['headlessgl', 'webgl2', 'webgl', 'webgpu', 'webasm'];

export { isNode } from './platform-env.js';
import { isNode } from './platform-env.js';

import { SOFTWARE_RE, adapterReport, describeAdapter, resolveGpu, withNavigatorGpu, type AdapterReport, type GpuLike } from './webgpu-node.js';

export interface ModeProbe {
  mode: GpujsMode;
  available: boolean;
  reason: string;
  /** GL_RENDERER / adapter description, when readable */
  renderer?: string;
  software?: boolean;
  /** webgpu: the adapter the device came from */
  adapter?: AdapterReport;
}

/** Options of a probe. */
export interface ProbeOptions {
  /** webgpu: a navigator.gpu-like object to use instead of navigator.gpu / the `webgpu` package */
  gpu?: GpuLike;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyGl = any;

let nodeRequire: ((id: string) => unknown) | null | undefined;
async function getNodeRequire(): Promise<((id: string) => unknown) | null> {
  if (nodeRequire !== undefined) return nodeRequire;
  if (!isNode) return (nodeRequire = null);
  try {
    const spec = 'node:module';
    const mod = (await import(/* @vite-ignore */ spec)) as { createRequire: (u: string) => (id: string) => unknown };
    nodeRequire = mod.createRequire(import.meta.url);
  } catch {
    nodeRequire = null;
  }
  return nodeRequire;
}

/** headless-gl's context factory (the optional `gl` package), or a reason it is missing. */
export async function loadHeadlessGl(): Promise<{ create?: (w: number, h: number, o?: object) => AnyGl; reason?: string }> {
  const req = await getNodeRequire();
  if (!req) return { reason: 'headless-gl needs Node' };
  type Create = (w: number, h: number, o?: object) => AnyGl;
  try {
    return { create: req('gl') as Create };
  } catch (e) {
    // gl is also gpu.js's optional dependency: resolve it from there
    try {
      const spec = 'node:module';
      const mod = (await import(/* @vite-ignore */ spec)) as { createRequire: (u: string) => (id: string) => unknown };
      const fromGpujs = mod.createRequire((req as unknown as { resolve(id: string): string }).resolve('gpu.js'));
      return { create: fromGpujs('gl') as Create };
    } catch {
      return { reason: `the 'gl' package (headless-gl) failed to load: ${(e as Error).message}` };
    }
  }
}

/** Creates a fresh GL context for a mode, or explains why not. The caller owns (and destroys) it. */
export async function createGlContext(
  mode: 'headlessgl' | 'webgl2' | 'webgl',
): Promise<{ gl?: AnyGl; canvas?: unknown; reason?: string }> {
  if (mode === 'headlessgl') {
    const { create, reason } = await loadHeadlessGl();
    if (!create) return { reason: reason! };
    let gl: AnyGl = null;
    try {
      gl = create(2, 2, { preserveDrawingBuffer: true });
    } catch (e) {
      return { reason: `headless-gl threw creating a context: ${(e as Error).message}` };
    }
    if (!gl) {
      const display = typeof process !== 'undefined' ? process.env.DISPLAY : undefined;
      return {
        reason: `headless-gl could not create a context (DISPLAY=${display ?? 'unset'}; run under xvfb-run or give it an X display with GLX)`,
      };
    }
    if (!gl.getExtension('OES_texture_float')) {
      destroyGl(gl);
      return { reason: 'headless-gl context has no OES_texture_float' };
    }
    return { gl };
  }
  const g = globalThis as { document?: { createElement(t: string): unknown }; OffscreenCanvas?: new (w: number, h: number) => unknown };
  let canvas: AnyGl = null;
  if (g.document) canvas = g.document.createElement('canvas');
  else if (g.OffscreenCanvas) canvas = new g.OffscreenCanvas(2, 2);
  if (!canvas) return { reason: `${mode} needs a browser (no document or OffscreenCanvas here)` };
  const attrs = { alpha: false, depth: false, antialias: false, premultipliedAlpha: false, preserveDrawingBuffer: true };
  const gl = canvas.getContext(mode, attrs);
  if (!gl) return { reason: `canvas.getContext('${mode}') returned null (${mode} disabled or unsupported)` };
  if (mode === 'webgl2' && !gl.getExtension('EXT_color_buffer_float')) {
    return { reason: 'webgl2 context has no EXT_color_buffer_float (float render targets)' };
  }
  if (mode === 'webgl' && !gl.getExtension('OES_texture_float')) {
    return { reason: 'webgl context has no OES_texture_float' };
  }
  return { gl, canvas };
}

/**
 * The GL renderer string and whether it is software. Browsers: the unmasked renderer
 * (WEBGL_debug_renderer_info) where allowed. headless-gl answers 'ANGLE' and offers no
 * WEBGL_debug_renderer_info, so the real driver is read from the GL driver library the context
 * loaded into this process (/proc/self/maps): Mesa's swrast_dri.so (llvmpipe / softpipe, what
 * Xvfb gives) is software; hardware needs proof (NVIDIA's libGLX_nvidia / libnvidia-glcore or a
 * Mesa hardware DRI driver such as radeonsi / iris). Unproven = software. A /dev/dri render node
 * proves nothing (Xvfb renders in software even where one exists).
 */
export async function glRenderer(gl: AnyGl, mode: string): Promise<{ renderer: string; software: boolean }> {
  let renderer = '';
  try {
    const ext = mode === 'headlessgl' ? null : gl.getExtension('WEBGL_debug_renderer_info');
    renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  } catch {
    renderer = 'unknown';
  }
  if (mode === 'headlessgl') {
    let version = '';
    try {
      version = String(gl.getParameter(gl.VERSION));
    } catch {
      /* ignore */
    }
    const d = await headlessGlDriver();
    return { renderer: `${renderer} (${version || 'headless-gl'}) on ${d.driver}`, software: d.software };
  }
  return { renderer, software: SOFTWARE_RE.test(renderer) };
}

/** The native GL driver headless-gl's context loaded, read from /proc/self/maps (Linux). */
export async function headlessGlDriver(): Promise<{ driver: string; software: boolean }> {
  const env = typeof process !== 'undefined' ? process.env : {};
  let maps = '';
  try {
    const spec = 'node:fs';
    const fs = (await import(/* @vite-ignore */ spec)) as { readFileSync(p: string, e: string): string };
    maps = fs.readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return { driver: 'an unknown GL driver (no /proc/self/maps): treated as software', software: true };
  }
  return classifyGlDriver(maps, env.LIBGL_ALWAYS_SOFTWARE, env.GALLIUM_DRIVER);
}

const MESA_SOFTWARE_DRI = new Set(['swrast', 'kms_swrast', 'zink']);

/** Classifies the GL driver libraries in a /proc/<pid>/maps text (exported for tests). */
export function classifyGlDriver(maps: string, alwaysSoftware?: string, galliumDriver?: string): { driver: string; software: boolean } {
  const libs = new Set<string>();
  for (const line of maps.split('\n')) {
    const path = line.trim().split(/\s+/)[5];
    if (path) libs.add(path);
  }
  const names = [...libs].map((p) => p.slice(p.lastIndexOf('/') + 1));
  const dri = names.map((n) => /^([a-z0-9_]+)_dri\.so/.exec(n)?.[1]).filter((n): n is string => !!n);
  const nvidia = names.find((n) => /^(libGLX_nvidia|libnvidia-glcore|libnvidia-eglcore)\.so/.test(n));
  if (nvidia) return { driver: `NVIDIA GL driver (${nvidia})`, software: false };
  if (dri.length === 0) return { driver: 'an unidentified GL driver (no DRI driver mapped): treated as software', software: true };
  const forced = alwaysSoftware && alwaysSoftware !== '0';
  const softGallium = galliumDriver && /llvmpipe|softpipe|swr/.test(galliumDriver);
  const sw = dri.find((n) => MESA_SOFTWARE_DRI.has(n));
  if (sw || forced || softGallium) {
    const name = sw ?? dri[0]!;
    return { driver: `Mesa ${name}_dri.so${forced ? ' (LIBGL_ALWAYS_SOFTWARE)' : ''}: software rasteriser (llvmpipe/softpipe)`, software: true };
  }
  return { driver: `Mesa ${dri[0]}_dri.so (hardware)`, software: false };
}

export function destroyGl(gl: AnyGl): void {
  try {
    const ext = gl.getExtension('STACKGL_destroy_context');
    if (ext) {
      ext.destroy();
      return;
    }
    const lose = gl.getExtension('WEBGL_lose_context');
    if (lose) lose.loseContext();
  } catch {
    /* already gone */
  }
}

/** gpu.js's shared WebGPU device record: { adapter, device, isLost }. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WebGpuRecord = { adapter: any; device: any; isLost: boolean };

// which GPU object each shared device record was acquired from
const recordSource = new WeakMap<object, { gpu: GpuLike; source: AdapterReport['source'] }>();

/**
 * Acquires gpu.js's shared WebGPU device from `gpu` (scoped navigator.gpu), creating the gpu.js
 * instance in the same scope (gpu.js validates `mode: 'webgpu'` against navigator.gpu). gpu.js
 * holds one device per process: while a live one exists it is reused, and a user `gpu` that is
 * not the one it came from is an error rather than silently ignored.
 */
export async function acquireWebGpu(user?: GpuLike): Promise<
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  { gpujs?: any; record?: WebGpuRecord; adapter?: AdapterReport; reason?: string; permanent?: boolean }
> {
  if (!WebGPUContext) return { reason: 'this gpu.js build has no WebGPU backend', permanent: true };
  const r = await resolveGpu(user);
  if (!r.gpu) return { reason: r.reason!, permanent: true };
  const gpu = r.gpu;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let gpujs: any;
  let record: WebGpuRecord;
  try {
    ({ gpujs, record } = await withNavigatorGpu(gpu, async () => {
      const rec = (await WebGPUContext.acquire()) as WebGpuRecord;
      return { gpujs: new GPU({ mode: 'webgpu' }), record: rec };
    }));
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    // no adapter: the binding and its drivers are fixed for this process
    return { reason: `WebGPU device acquisition failed: ${msg.split('\n')[0]}`, permanent: /no adapter/i.test(msg) };
  }
  let from = recordSource.get(record as object);
  if (!from) recordSource.set(record as object, (from = { gpu, source: r.source! }));
  else if (user && from.gpu !== user) {
    try {
      gpujs.destroy();
    } catch {
      /* ignore */
    }
    return {
      reason:
        "gpu.js already holds this process's WebGPU device, acquired from another GPU object than the 'gpu' option; " +
        'a second device is not possible until that one is destroyed or lost',
    };
  }
  const adapter = await adapterReport(record.adapter, from.source);
  return { gpujs, record, adapter };
}

/**
 * Runs a 4-element kernel on a gpu.js instance and checks what came back: proof that the mode
 * really computes here (a context or adapter alone is not). Returns null when it did, else why not.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function checkKernel(gpujs: any, mode: GpujsMode): Promise<string | null> {
  const input = new Float32Array([1, 2, 3, 4]);
  const want = [3, 5, 7, 9];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let k: any;
  try {
    k = gpujs.createKernel('function (a) { return a[this.thread.x] * 2.0 + 1.0; }', {
      output: [4],
      precision: 'single',
      tactic: 'precision',
    });
    let out = k(input);
    if (out && typeof out.then === 'function') out = await out;
    const kind = k.kernel?.constructor?.name ?? '';
    if (/CPUKernel/.test(kind)) return `gpu.js fell back to its CPU kernel for the ${mode} probe`;
    const got = Array.from(out as ArrayLike<number>);
    if (got.length !== 4 || got.some((v, i) => v !== want[i])) {
      return `the ${mode} probe kernel computed [${got.join(', ')}] instead of [${want.join(', ')}]`;
    }
    return null;
  } catch (e) {
    return `the ${mode} probe kernel failed: ${((e as Error).message ?? String(e)).split('\n')[0]}`;
  } finally {
    try {
      (k?.kernel ?? k)?.destroy?.();
    } catch {
      /* ignore */
    }
  }
}

const cache = new Map<string, ModeProbe>();
const webgpuCache = new WeakMap<object, { probe: ModeProbe; record?: WebGpuRecord }>();
const NO_USER_GPU = {};

/** Forgets cached probe results (tests). */
export function clearProbeCache(): void {
  cache.clear();
}

/**
 * Probes one mode by really starting it: a context / device is made, a 4-element gpu.js kernel
 * runs on it and its read-back result is checked. Never uses gpu.js's CPU path. Results are cached
 * per process where they cannot change: webasm; webgpu per GPU object (re-probed once its device
 * is lost); headlessgl's permanent failures (no `gl` package, no DISPLAY) and its successes.
 */
export async function probeMode(mode: GpujsMode, o: ProbeOptions = {}): Promise<ModeProbe> {
  if (mode === 'webgpu') {
    const key = (o.gpu as object | undefined) ?? NO_USER_GPU;
    const hit = webgpuCache.get(key);
    if (hit && !(hit.record && hit.record.isLost)) return hit.probe;
    const { probe, record, permanent } = await probeWebGpu(o.gpu);
    if (probe.available || permanent) webgpuCache.set(key, { probe, record });
    return probe;
  }
  const k = `${mode}|${mode === 'headlessgl' && typeof process !== 'undefined' ? (process.env.DISPLAY ?? '') : ''}`;
  const hit = cache.get(k);
  if (hit) return hit;
  const { probe, permanent } = await probeOther(mode);
  if (probe.available || permanent) cache.set(k, probe);
  return probe;
}

async function probeWebGpu(user?: GpuLike): Promise<{ probe: ModeProbe; record?: WebGpuRecord; permanent?: boolean }> {
  const mode = 'webgpu' as const;
  const a = await acquireWebGpu(user);
  if (!a.gpujs) return { probe: { mode, available: false, reason: a.reason! }, permanent: a.permanent };
  const renderer = describeAdapter(a.adapter!);
  const bad = await checkKernel(a.gpujs, mode);
  try {
    // destroys the probe's kernels; the shared device stays for the backends (gpu.js keeps it)
    await a.gpujs.destroy();
  } catch {
    /* ignore */
  }
  if (bad) return { probe: { mode, available: false, reason: `${bad} (adapter: ${renderer})`, renderer, adapter: a.adapter } };
  return {
    probe: {
      mode,
      available: true,
      reason: `WebGPU adapter: ${renderer}${a.adapter!.software ? ' [software]' : ''}; a probe kernel ran`,
      renderer,
      software: a.adapter!.software,
      adapter: a.adapter,
    },
    record: a.record,
  };
}

async function probeOther(mode: Exclude<GpujsMode, 'webgpu'>): Promise<{ probe: ModeProbe; permanent: boolean }> {
  if (mode === 'webasm') {
    if (!GPU?.isWebAssemblySupported) return { probe: { mode, available: false, reason: 'WebAssembly with SIMD is not supported here' }, permanent: true };
    const gpujs = new GPU({ mode: 'webasm' });
    const bad = await checkKernel(gpujs, mode);
    try {
      gpujs.destroy();
    } catch {
      /* ignore */
    }
    if (bad) return { probe: { mode, available: false, reason: bad }, permanent: true };
    return { probe: { mode, available: true, reason: 'WebAssembly (SIMD) available; runs on the CPU; a probe kernel ran', renderer: 'cpu (wasm)', software: true }, permanent: true };
  }
  if (mode === 'headlessgl' && !isNode) return { probe: { mode, available: false, reason: 'headlessgl is Node-only' }, permanent: true };
  if ((mode === 'webgl2' || mode === 'webgl') && isNode) return { probe: { mode, available: false, reason: `${mode} needs a browser` }, permanent: true };
  if (mode === 'headlessgl') {
    const { create, reason } = await loadHeadlessGl();
    if (!create) return { probe: { mode, available: false, reason: reason! }, permanent: true };
    if (typeof process !== 'undefined' && !process.env.DISPLAY) {
      return { probe: { mode, available: false, reason: 'headless-gl needs an X display with GLX: DISPLAY is unset (run under xvfb-run)' }, permanent: true };
    }
  }
  let c = await createGlContext(mode);
  // an X server under load can refuse a context transiently: only that is retried
  for (let i = 0; !c.gl && mode === 'headlessgl' && i < 2; i++) {
    await new Promise((ok) => setTimeout(ok, 100 * (i + 1)));
    c = await createGlContext(mode);
  }
  if (!c.gl) return { probe: { mode, available: false, reason: c.reason! }, permanent: mode !== 'headlessgl' };
  const r = await glRenderer(c.gl, mode);
  let bad: string | null;
  try {
    const gpujs = new GPU({ mode, context: c.gl, canvas: c.canvas ?? undefined });
    bad = await checkKernel(gpujs, mode);
    try {
      // destroys the kernel and (GL) the context
      gpujs.destroy();
    } catch {
      /* ignore */
    }
  } catch (e) {
    bad = `gpu.js could not start ${mode}: ${(e as Error).message}`;
  }
  if (mode === 'headlessgl') destroyGl(c.gl);
  else {
    const lose = c.gl.getExtension('WEBGL_lose_context');
    if (lose) lose.loseContext();
  }
  if (bad) return { probe: { mode, available: false, reason: `${bad} (renderer: ${r.renderer})`, renderer: r.renderer }, permanent: false };
  return {
    probe: { mode, available: true, reason: `${mode}: ${r.renderer}${r.software ? ' [software]' : ''}; a probe kernel ran`, renderer: r.renderer, software: r.software },
    permanent: true,
  };
}

/** Order 'auto' tries: GPU modes first, the wasm CPU engine last. */
export const AUTO_ORDER: readonly GpujsMode[] = ['webgpu', 'webgl2', 'webgl', 'headlessgl', 'webasm'];
