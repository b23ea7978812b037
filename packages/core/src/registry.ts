import { BackendUnavailableError } from './errors.js';
import type { BackendDescriptor, KernelBackend, Probe } from './backend.js';

export interface ProbeReport {
  name: string;
  priority: number;
  available: boolean;
  reason?: string;
}

async function runProbe(d: BackendDescriptor): Promise<ProbeReport> {
  try {
    const r = await d.probe();
    const p: Probe = typeof r === 'boolean' ? { available: r } : r;
    return { name: d.name, priority: p.priority ?? d.priority, available: p.available, reason: p.reason };
  } catch (e) {
    return { name: d.name, priority: d.priority, available: false, reason: `probe threw: ${(e as Error)?.message ?? e}` };
  }
}

/**
 * Backends by name. `create('auto')` probes each and creates the available one with the highest
 * priority; the created backend's `name` and `engine` say which one runs.
 */
export class Registry {
  #backends = new Map<string, BackendDescriptor<any>>();

  register(d: BackendDescriptor<any>): this {
    this.#backends.set(d.name, d);
    return this;
  }

  unregister(name: string): boolean {
    return this.#backends.delete(name);
  }

  has(name: string): boolean {
    return this.#backends.has(name);
  }

  names(): string[] {
    return [...this.#backends.keys()];
  }

  /** Probes every registered backend; best first. */
  async probeAll(): Promise<ProbeReport[]> {
    const reports = await Promise.all([...this.#backends.values()].map(runProbe));
    return reports.sort((a, b) => Number(b.available) - Number(a.available) || b.priority - a.priority);
  }

  /** Creates the named backend, or with 'auto' the best available one. */
  async create(name: string = 'auto', options?: unknown): Promise<KernelBackend> {
    if (name !== 'auto') {
      const d = this.#backends.get(name);
      if (!d) {
        throw new BackendUnavailableError(
          `backend '${name}' is not registered (registered: ${this.names().join(', ') || 'none'})`,
        );
      }
      const r = await runProbe(d);
      if (!r.available) {
        throw new BackendUnavailableError(`backend '${name}' is not available here: ${r.reason ?? 'probe said no'}`);
      }
      return d.create(options);
    }
    const reports = await this.probeAll();
    const errors: string[] = [];
    for (const r of reports) {
      if (!r.available) {
        errors.push(`${r.name}: ${r.reason ?? 'unavailable'}`);
        continue;
      }
      try {
        return await this.#backends.get(r.name)!.create(options);
      } catch (e) {
        errors.push(`${r.name}: create failed: ${(e as Error)?.message ?? e}`);
      }
    }
    throw new BackendUnavailableError(`no backend could be created: ${errors.join('; ') || 'none registered'}`);
  }
}

/** The process-wide registry that backend packages' `register()` helpers add to. */
export const registry = new Registry();
