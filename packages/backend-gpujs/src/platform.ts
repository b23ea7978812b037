/**
 * Platform probing: which gpu.js modes can make a real context here, and whether the renderer is
 * a software one (Mesa llvmpipe / softpipe, SwiftShader, ...).
 */
import { GPU } from './gpujs.js';

export type GpujsMode = 'headlessgl' | 'webgl2' | 'webgl' | 'webgpu' | 'webasm';
export const GPUJS_MODES: readonly GpujsMode[] = ['headlessgl', 'webgl2', 'webgl', 'webgpu', 'webasm'];

export const isNode =
  typeof process !== 'undefined' && !!(process as { versions?: { node?: string } }).versions?.node &&
  typeof (globalThis as { document?: unknown }).document === 'undefined';

const SOFTWARE_RE = /swiftshader|llvmpipe|softpipe|software|swrast|basic render|lavapipe|microsoft basic/i;

export interface ModeProbe {
  mode: GpujsMode;
  available: boolean;
  reason: string;
  /** GL_RENDERER / adapter description, when readable */
  renderer?: string;
  software?: boolean;
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

/** The GL renderer string (unmasked where the browser allows) and whether it is software. */
export async function glRenderer(gl: AnyGl, mode: string): Promise<{ renderer: string; software: boolean }> {
  let renderer = '';
  try {
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  } catch {
    renderer = 'unknown';
  }
  if (mode === 'headlessgl') {
    // headless-gl answers 'ANGLE' and hides the driver. Without a DRI render node the X server
    // (Xvfb in CI) can only give Mesa's software rasteriser.
    const hw = await hasDriRenderNode();
    return { renderer: `${renderer} (headless-gl${hw ? ', DRI render node present' : ', no DRI render node: software GL'})`, software: !hw };
  }
  return { renderer, software: SOFTWARE_RE.test(renderer) };
}

async function hasDriRenderNode(): Promise<boolean> {
  if (typeof process !== 'undefined' && process.env.LIBGL_ALWAYS_SOFTWARE) return false;
  try {
    const spec = 'node:fs';
    const fs = (await import(/* @vite-ignore */ spec)) as { readdirSync(p: string): string[] };
    return fs.readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function webgpuAdapter(): Promise<{ adapter?: any; reason?: string; renderer?: string; software?: boolean }> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const nav = (globalThis as any).navigator;
  if (!nav || !nav.gpu) return { reason: 'WebGPU is not exposed here (navigator.gpu is missing)' };
  let adapter;
  try {
    adapter = await nav.gpu.requestAdapter();
  } catch (e) {
    return { reason: `navigator.gpu.requestAdapter() threw: ${(e as Error).message}` };
  }
  if (!adapter) return { reason: 'navigator.gpu.requestAdapter() returned null (no WebGPU adapter)' };
  let info = adapter.info;
  if (!info && typeof adapter.requestAdapterInfo === 'function') {
    try {
      info = await adapter.requestAdapterInfo();
    } catch {
      info = undefined;
    }
  }
  const renderer = info ? [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') : 'unknown';
  const software = !!(adapter.isFallbackAdapter || info?.isFallbackAdapter) || SOFTWARE_RE.test(renderer);
  return { adapter, renderer, software };
}

/** Probes one mode by making (and releasing) a real context. Never uses gpu.js's CPU path. */
export async function probeMode(mode: GpujsMode): Promise<ModeProbe> {
  if (mode === 'webasm') {
    const ok = !!GPU?.isWebAssemblySupported;
    return ok
      ? { mode, available: true, reason: 'WebAssembly (SIMD) available; runs on the CPU', renderer: 'cpu (wasm)', software: true }
      : { mode, available: false, reason: 'WebAssembly with SIMD is not supported here' };
  }
  if (mode === 'webgpu') {
    const a = await webgpuAdapter();
    if (!a.adapter) return { mode, available: false, reason: a.reason! };
    return { mode, available: true, reason: `WebGPU adapter: ${a.renderer}`, renderer: a.renderer, software: a.software };
  }
  if (mode === 'headlessgl' && !isNode) return { mode, available: false, reason: 'headlessgl is Node-only' };
  if ((mode === 'webgl2' || mode === 'webgl') && isNode) return { mode, available: false, reason: `${mode} needs a browser` };
  let c = await createGlContext(mode);
  // an X server under load can refuse a context transiently: try a few times before saying no
  for (let i = 0; !c.gl && mode === 'headlessgl' && i < 3; i++) {
    await new Promise((ok) => setTimeout(ok, 250 * (i + 1)));
    c = await createGlContext(mode);
  }
  if (!c.gl) return { mode, available: false, reason: c.reason! };
  const r = await glRenderer(c.gl, mode);
  if (mode === 'headlessgl') destroyGl(c.gl);
  else {
    const lose = c.gl.getExtension('WEBGL_lose_context');
    if (lose) lose.loseContext();
  }
  return { mode, available: true, reason: `${mode}: ${r.renderer}`, renderer: r.renderer, software: r.software };
}

/** Order 'auto' tries: GPU modes first, the wasm CPU engine last. */
export const AUTO_ORDER: readonly GpujsMode[] = ['webgpu', 'webgl2', 'webgl', 'headlessgl', 'webasm'];
