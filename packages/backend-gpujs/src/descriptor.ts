import type { BackendDescriptor, Probe } from '@convkit/core';
import { registry as defaultRegistry, type Registry } from '@convkit/core';
import { createGpujsBackend, type GpujsBackendOptions } from './backend.js';
import { GPUJS_OPTION_KEYS } from './options.js';
import { AUTO_ORDER, probeMode, type ModeProbe, type ProbeOptions } from './platform.js';
import type { GpuLike } from './webgpu-node.js';

/** Priority of a hardware GPU mode (above workers = 20 and js = 10). */
export const GPU_PRIORITY = 30;
/**
 * Priority of a software renderer (Mesa llvmpipe / softpipe under Xvfb, SwiftShader) and of the
 * webasm CPU engine: below the js (10) and workers (20) backends, so 'auto' only picks gpujs on
 * such machines when nothing else is registered.
 */
export const SOFTWARE_PRIORITY = 5;

/** Probes every mode this platform could have, in 'auto' order (webgpu with `o.gpu` when given). */
export async function probeModes(o: ProbeOptions = {}): Promise<ModeProbe[]> {
  const out: ModeProbe[] = [];
  for (const m of AUTO_ORDER) out.push(await probeMode(m, o));
  return out;
}

/** What `register(registry, options)` applies to the descriptor it registers. */
export interface GpujsRegisterOptions {
  /** a navigator.gpu-like object for the webgpu probe and the default `gpu` of create() */
  gpu?: GpuLike;
}

/**
 * A gpujs registry descriptor. With `{ gpu }` its probe tries WebGPU on that GPU object (instead
 * of navigator.gpu / the `webgpu` package) and create() uses it unless the options name another.
 */
function descriptor(defaults: GpujsRegisterOptions = {}): BackendDescriptor<GpujsBackendOptions> {
  return {
    name: 'gpujs',
    priority: GPU_PRIORITY,
    optionKeys: GPUJS_OPTION_KEYS,
    async probe(): Promise<Probe> {
      const probes = await probeModes({ gpu: defaults.gpu });
      const ok = probes.filter((p) => p.available);
      if (ok.length === 0) {
        return { available: false, reason: `no gpu.js mode can start here: ${probes.map((p) => `${p.mode}: ${p.reason}`).join('; ')}` };
      }
      const best = ok.find((p) => !p.software) ?? ok[0]!;
      return {
        available: true,
        reason: `${best.mode} (${best.reason})${best.software ? ' [software renderer: low priority]' : ''}`,
        priority: best.software ? SOFTWARE_PRIORITY : GPU_PRIORITY,
      };
    },
    create(options?: GpujsBackendOptions) {
      return createGpujsBackend(defaults.gpu && !options?.gpu ? { ...options, gpu: defaults.gpu } : options);
    },
  };
}

/** The gpujs registry descriptor (probe: every mode this platform could have; create: createGpujsBackend). */
export const gpujsBackend: BackendDescriptor<GpujsBackendOptions> = descriptor();

/**
 * Registers the gpujs backend in a registry (the process-wide one by default); `{ gpu }` makes
 * its probe and backends use that navigator.gpu-like object for WebGPU.
 */
export function register(reg: Registry = defaultRegistry, options?: GpujsRegisterOptions): Registry {
  return reg.register(options?.gpu ? descriptor(options) : gpujsBackend);
}
