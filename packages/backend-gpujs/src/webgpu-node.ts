/**
 * WebGPU for gpu.js without a global: where the `navigator.gpu`-like object comes from (a user's
 * own, the page's navigator.gpu, or the optional `webgpu` package = Dawn in Node), the binding
 * fix-ups gpu.js needs, and the scoped `navigator.gpu` gpu.js's WebGPUContext.acquire() reads.
 *
 * gpu.js keeps ONE device per process (WebGPUContext) and reads the global `navigator.gpu` only
 * while it acquires that device (and validates `new GPU({ mode: 'webgpu' })`); kernels reuse the
 * acquired device. So the global is installed only around those two calls and then restored to
 * exactly what was there before (absent, or the page's own navigator).
 */
import { isNode } from './platform-env.js';

/** The part of `navigator.gpu` (GPU) this backend uses. */
export interface GpuLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  requestAdapter(options?: any): Promise<any>;
}

/** What the backend reports about the adapter its WebGPU device came from. */
export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** driver description, when the binding exposes one (Dawn puts it into `description`) */
  driver?: string;
  isFallbackAdapter: boolean;
  /** SwiftShader, llvmpipe, lavapipe, WARP, a fallback adapter: a CPU rasteriser, never reported as a GPU */
  software: boolean;
  /** where the GPU object came from */
  source: 'option' | 'navigator' | 'webgpu-package';
}

export const SOFTWARE_RE = /swiftshader|llvmpipe|softpipe|software|swrast|basic render|lavapipe|microsoft basic|\bwarp\b|subzero/i;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

let nodePackage: Promise<{ gpu?: GpuLike; reason?: string }> | null = null;

/**
 * The `webgpu` package's GPU object (Dawn), loaded once per process on first use. An absent or
 * unloadable package gives a reason instead (it is an optional dependency).
 */
export function loadWebgpuPackage(): Promise<{ gpu?: GpuLike; reason?: string }> {
  if (nodePackage) return nodePackage;
  nodePackage = (async () => {
    if (!isNode) return { reason: "the 'webgpu' package is Node-only" };
    let resolved: string;
    let toUrl: (p: string) => { href: string };
    try {
      const modSpec = 'node:module';
      const urlSpec = 'node:url';
      const mod = (await import(/* @vite-ignore */ modSpec)) as { createRequire(u: string): { resolve(id: string): string } };
      const url = (await import(/* @vite-ignore */ urlSpec)) as { pathToFileURL(p: string): { href: string } };
      toUrl = url.pathToFileURL;
      resolved = mod.createRequire(import.meta.url).resolve('webgpu');
    } catch (e) {
      return { reason: `the optional 'webgpu' package (Dawn for Node) is not installed: ${(e as Error).message.split('\n')[0]}` };
    }
    try {
      const m = (await import(/* @vite-ignore */ toUrl(resolved).href)) as { create(flags: string[]): GpuLike };
      const gpu = m.create([]);
      if (!gpu || typeof gpu.requestAdapter !== 'function') return { reason: "the 'webgpu' package gave no GPU object" };
      return { gpu };
    } catch (e) {
      return { reason: `the optional 'webgpu' package failed to load: ${(e as Error).message.split('\n')[0]}` };
    }
  })();
  return nodePackage;
}

/**
 * The GPU object to use: the user's (`gpu` option), else the page's `navigator.gpu`, else (Node)
 * the `webgpu` package.
 */
export async function resolveGpu(user?: GpuLike): Promise<{ gpu?: GpuLike; source?: AdapterReport['source']; reason?: string }> {
  if (user) {
    if (typeof user.requestAdapter !== 'function') return { reason: "the 'gpu' option has no requestAdapter() (pass a navigator.gpu-like object)" };
    return { gpu: user, source: 'option' };
  }
  const nav = (globalThis as Any).navigator;
  if (nav && nav.gpu) return { gpu: nav.gpu, source: 'navigator' };
  if (!isNode) return { reason: 'WebGPU is not exposed here (navigator.gpu is missing)' };
  const p = await loadWebgpuPackage();
  return p.gpu ? { gpu: p.gpu, source: 'webgpu-package' } : { reason: p.reason! };
}

const wrapped = new WeakMap<object, GpuLike>();

/**
 * The GPU object as gpu.js gets it: requestAdapter() -> requestDevice() gives a device whose
 * `onuncapturederror` setter routes to addEventListener('uncapturederror'), because some Dawn
 * bindings (webgpu@0.2.x) throw 'object is not of the correct interface type' on the assignment
 * gpu.js makes. Bindings that accept the assignment get the same behaviour.
 */
export function wrapGpu(gpu: GpuLike): GpuLike {
  const known = wrapped.get(gpu as object);
  if (known) return known;
  const w: GpuLike = {
    async requestAdapter(options?: Any) {
      const adapter = await gpu.requestAdapter(options);
      return adapter ? wrapAdapter(adapter) : adapter;
    },
  };
  // keep the rest of the GPU interface reachable (getPreferredCanvasFormat, wgslLanguageFeatures)
  const g = gpu as Any;
  if (typeof g.getPreferredCanvasFormat === 'function') (w as Any).getPreferredCanvasFormat = () => g.getPreferredCanvasFormat();
  wrapped.set(gpu as object, w);
  return w;
}

const kWrapped = Symbol('convkit.wrappedAdapter');
function wrapAdapter(adapter: Any): Any {
  if (adapter[kWrapped]) return adapter;
  const requestDevice = adapter.requestDevice;
  // an own property on the adapter instance: native methods keep their real `this`
  Object.defineProperty(adapter, 'requestDevice', {
    configurable: true,
    value: async function (this: Any, desc?: Any) {
      const device = await requestDevice.call(adapter, desc);
      routeUncapturedError(device);
      return device;
    },
  });
  Object.defineProperty(adapter, kWrapped, { value: true });
  return adapter;
}

function routeUncapturedError(device: Any): void {
  if (!device || typeof device.addEventListener !== 'function') return;
  let current: ((e: Any) => void) | null = null;
  try {
    Object.defineProperty(device, 'onuncapturederror', {
      configurable: true,
      get: () => current,
      set: (fn: ((e: Any) => void) | null) => {
        if (current) device.removeEventListener('uncapturederror', current);
        current = typeof fn === 'function' ? fn : null;
        if (current) device.addEventListener('uncapturederror', current);
      },
    });
  } catch {
    /* a frozen device object: gpu.js's assignment goes to the binding itself */
  }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` with `globalThis.navigator.gpu` = gpu (wrapped) and restores what was there before,
 * also when fn throws. Calls are serialised, so overlapping acquisitions never see each other's gpu.
 */
export function withNavigatorGpu<T>(gpu: GpuLike, fn: () => Promise<T> | T): Promise<T> {
  const run = async (): Promise<T> => {
    const g = globalThis as Any;
    const hadNav = Object.prototype.hasOwnProperty.call(g, 'navigator');
    const navDesc = hadNav ? Object.getOwnPropertyDescriptor(g, 'navigator') : undefined;
    const nav = g.navigator;
    const w = wrapGpu(gpu);
    let restore: () => void;
    if (nav && typeof nav === 'object') {
      const had = Object.prototype.hasOwnProperty.call(nav, 'gpu');
      const desc = had ? Object.getOwnPropertyDescriptor(nav, 'gpu') : undefined;
      Object.defineProperty(nav, 'gpu', { configurable: true, enumerable: true, value: w, writable: true });
      restore = () => {
        if (desc) Object.defineProperty(nav, 'gpu', desc);
        else delete nav.gpu;
      };
    } else {
      Object.defineProperty(g, 'navigator', { configurable: true, enumerable: false, writable: true, value: { gpu: w } });
      restore = () => {
        if (navDesc) Object.defineProperty(g, 'navigator', navDesc);
        else delete g.navigator;
      };
    }
    try {
      return await fn();
    } finally {
      restore();
    }
  };
  const p = queue.then(run, run);
  queue = p.catch(() => undefined);
  return p;
}

/** Adapter info (the `info` attribute, or requestAdapterInfo() on older bindings) and its software verdict. */
export async function adapterReport(adapter: Any, source: AdapterReport['source']): Promise<AdapterReport> {
  let info = adapter?.info;
  if (!info && typeof adapter?.requestAdapterInfo === 'function') {
    try {
      info = await adapter.requestAdapterInfo();
    } catch {
      info = undefined;
    }
  }
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  const r: AdapterReport = {
    vendor: s(info?.vendor),
    architecture: s(info?.architecture),
    device: s(info?.device),
    description: s(info?.description),
    isFallbackAdapter: !!(adapter?.isFallbackAdapter || info?.isFallbackAdapter),
    software: false,
    source,
  };
  if (s(info?.driver)) r.driver = s(info.driver);
  const text = describeAdapter(r);
  r.software = r.isFallbackAdapter || SOFTWARE_RE.test(text);
  return r;
}

/** 'vendor / architecture / device / description' (the non-empty ones), or 'unknown adapter'. */
export function describeAdapter(r: Pick<AdapterReport, 'vendor' | 'architecture' | 'device' | 'description' | 'driver'>): string {
  return [r.vendor, r.architecture, r.device, r.description, r.driver].filter(Boolean).join(' / ') || 'unknown adapter';
}
