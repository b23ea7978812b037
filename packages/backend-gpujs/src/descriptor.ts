import type { BackendDescriptor, Probe } from '@convkit/core';
import { registry as defaultRegistry, type Registry } from '@convkit/core';
import { GpujsBackend, type GpujsBackendOptions } from './backend.js';
import { AUTO_ORDER, probeMode, type ModeProbe } from './platform.js';

/** Priority of a hardware GPU mode (above workers = 20 and js = 10). */
export const GPU_PRIORITY = 30;
/**
 * Priority of a software renderer (Mesa llvmpipe / softpipe under Xvfb, SwiftShader) and of the
 * webasm CPU engine: below the js (10) and workers (20) backends, so 'auto' only picks gpujs on
 * such machines when nothing else is registered.
 */
export const SOFTWARE_PRIORITY = 5;

/** Probes every mode this platform could have, in 'auto' order. */
export async function probeModes(): Promise<ModeProbe[]> {
  const out: ModeProbe[] = [];
  for (const m of AUTO_ORDER) out.push(await probeMode(m));
  return out;
}

export const gpujsDescriptor: BackendDescriptor<GpujsBackendOptions> = {
  name: 'gpujs',
  priority: GPU_PRIORITY,
  async probe(): Promise<Probe> {
    const probes = await probeModes();
    const ok = probes.filter((p) => p.available);
    if (ok.length === 0) {
      return { available: false, reason: `no gpu.js mode can make a context here: ${probes.map((p) => `${p.mode}: ${p.reason}`).join('; ')}` };
    }
    const best = ok.find((p) => !p.software) ?? ok[0]!;
    return {
      available: true,
      reason: `${best.mode} (${best.reason})${best.software ? ' [software renderer: low priority]' : ''}`,
      priority: best.software ? SOFTWARE_PRIORITY : GPU_PRIORITY,
    };
  },
  create(options?: GpujsBackendOptions) {
    return GpujsBackend.create(options);
  },
};

/** Registers the gpujs backend in a registry (the process-wide one by default). */
export function register(reg: Registry = defaultRegistry): Registry {
  return reg.register(gpujsDescriptor);
}
