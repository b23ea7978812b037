/**
 * Loads every convkit backend package that is installed (dynamic import, so a missing or
 * unbuilt package is reported, never fatal) into one Registry, and parses backend specs:
 *   'js' | 'workers' | 'wasm' | 'gpujs' | 'gpujs:<mode>' (headlessgl, webgl2, webgl, webgpu, webasm) | 'auto'
 */
import { createContext, Registry, type Context } from '@convkit/core';

export const BACKEND_PACKAGES = ['@convkit/backend-js', '@convkit/backend-workers', '@convkit/backend-wasm', '@convkit/backend-gpujs'] as const;

export interface PackageLoad {
  pkg: string;
  loaded: boolean;
  reason?: string;
  module?: Record<string, any>;
}

let cached: Promise<{ registry: Registry; packages: PackageLoad[] }> | null = null;

/** Imports each backend package and registers it; cached per process. */
export function loadBackends(): Promise<{ registry: Registry; packages: PackageLoad[] }> {
  cached ??= (async () => {
    const registry = new Registry();
    const packages: PackageLoad[] = [];
    for (const pkg of BACKEND_PACKAGES) {
      try {
        const m = (await import(/* @vite-ignore */ pkg)) as Record<string, any>;
        if (typeof m.register !== 'function') throw new Error('exports no register(registry)');
        m.register(registry);
        packages.push({ pkg, loaded: true, module: m });
      } catch (e) {
        packages.push({ pkg, loaded: false, reason: (e as Error)?.message ?? String(e) });
      }
    }
    return { registry, packages };
  })();
  return cached;
}

export interface BackendSpec {
  name: string;
  options?: Record<string, unknown>;
}

export function parseBackend(spec: string): BackendSpec {
  const [name, mode] = spec.split(':');
  if (!name) throw new Error(`bad backend '${spec}'`);
  if (mode) {
    if (name !== 'gpujs') throw new Error(`backend '${name}' takes no mode (only gpujs:<mode>)`);
    return { name, options: { mode } };
  }
  if (name === 'workers') return { name, options: {} };
  return { name };
}

/** A context on the given backend spec. */
export async function contextFor(spec: string, extra?: Record<string, unknown>): Promise<Context> {
  const { registry } = await loadBackends();
  const s = parseBackend(spec);
  return createContext({ backend: s.name, registry, backendOptions: { ...(s.options ?? {}), ...(extra ?? {}) } });
}

export interface Candidate {
  spec: string;
  available: boolean;
  reason: string;
}

/**
 * Every backend spec worth testing here other than 'js': workers, wasm, and each gpu.js mode the
 * gpujs package says it can run (never its CPU fallback). Unavailable ones carry the reason.
 */
export async function otherBackends(): Promise<Candidate[]> {
  const { registry, packages } = await loadBackends();
  const out: Candidate[] = [];
  const pk = (p: string) => packages.find((x) => x.pkg === p)!;
  const workers = pk('@convkit/backend-workers');
  if (!workers.loaded) out.push({ spec: 'workers', available: false, reason: `@convkit/backend-workers not loadable: ${workers.reason}` });
  else {
    const r = (await registry.probeAll()).find((x) => x.name === 'workers');
    out.push({ spec: 'workers', available: !!r?.available, reason: r?.reason ?? 'not registered' });
  }
  const wasm = pk('@convkit/backend-wasm');
  if (!wasm.loaded) out.push({ spec: 'wasm', available: false, reason: `@convkit/backend-wasm not loadable: ${wasm.reason}` });
  else {
    const r = (await registry.probeAll()).find((x) => x.name === 'wasm');
    out.push({ spec: 'wasm', available: !!r?.available, reason: r?.reason ?? 'not registered' });
  }
  const g = pk('@convkit/backend-gpujs');
  if (!g.loaded) out.push({ spec: 'gpujs', available: false, reason: `@convkit/backend-gpujs not loadable: ${g.reason}` });
  else if (typeof g.module!.probeModes === 'function') {
    const modes = (await g.module!.probeModes()) as { mode: string; available: boolean; reason: string }[];
    for (const m of modes) out.push({ spec: `gpujs:${m.mode}`, available: m.available, reason: m.reason });
  } else {
    const r = (await registry.probeAll()).find((x) => x.name === 'gpujs');
    out.push({ spec: 'gpujs', available: !!r?.available, reason: r?.reason ?? 'not registered' });
  }
  return out;
}
