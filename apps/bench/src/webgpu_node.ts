/**
 * WebGPU in the Node half for tfjs-backend-webgpu, which reads the global: `navigator.gpu` from the
 * `webgpu` package (Dawn), installed once in this process. convkit's gpu.js webgpu mode loads the
 * same package itself (backend-gpujs), so both rows run on the adapter the same Vulkan driver gives.
 * On this project's VM that is SwiftShader (VK_ICD_FILENAMES, set by the CLI when it re-runs itself):
 * a CPU rasteriser, reported as such.
 */
import { createRequire } from 'node:module';

/** What the Node half found for WebGPU. */
export interface NodeWebgpu {
  ok: boolean;
  /** why WebGPU is not available (ok false) */
  reason?: string;
  /** vendor / architecture / device / description of the adapter */
  adapter?: string;
  /** a software adapter (SwiftShader, lavapipe, llvmpipe, a fallback adapter) */
  software?: boolean;
}

export const SOFTWARE_ADAPTER_RE = /swiftshader|llvmpipe|lavapipe|softpipe|swrast|software|subzero|\bwarp\b/i;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** One line naming a WebGPU adapter (from GPUAdapterInfo or tfjs's adapterInfo). */
export function adapterLine(info: Any): string {
  if (!info) return 'unknown';
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => typeof s === 'string' && s.length > 0);
  return parts.length ? parts.join(' / ') : 'unknown';
}

let found: Promise<NodeWebgpu> | null = null;

/** Installs navigator.gpu (and the WebGPU globals: GPUBufferUsage, ...) from the `webgpu` package, once. */
export function provideNodeWebgpu(): Promise<NodeWebgpu> {
  found ??= (async (): Promise<NodeWebgpu> => {
    const g = globalThis as Any;
    if (!g.navigator?.gpu) {
      let w: { create(flags: string[]): Any; globals: Record<string, unknown> };
      try {
        w = createRequire(import.meta.url)('webgpu');
      } catch (e) {
        return { ok: false, reason: `the 'webgpu' package (Dawn for Node) did not load: ${(e as Error).message.split('\n')[0]}` };
      }
      Object.assign(globalThis, w.globals);
      if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
      Object.defineProperty(g.navigator, 'gpu', { value: w.create([]), configurable: true });
    }
    let adapter: Any;
    try {
      adapter = await g.navigator.gpu.requestAdapter();
    } catch (e) {
      return { ok: false, reason: `navigator.gpu.requestAdapter() threw: ${(e as Error).message.split('\n')[0]}` };
    }
    if (!adapter) return { ok: false, reason: 'navigator.gpu.requestAdapter() returned null (no WebGPU adapter; VK_ICD_FILENAMES names the Vulkan driver)' };
    const line = adapterLine(adapter.info);
    return { ok: true, adapter: line, software: !!(adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter) || SOFTWARE_ADAPTER_RE.test(line) };
  })();
  return found;
}
