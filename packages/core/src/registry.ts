import { BackendUnavailableError, ValidationError } from './errors.js';
import type { BackendDescriptor, BackendName, BackendOptionsOf, KernelBackend, Probe } from './backend.js';
import { checkOptions, formatValue } from './validate.js';

export interface ProbeReport {
  name: string;
  priority: number;
  available: boolean;
  reason?: string;
}

/** One entry of an ordered backend preference: a name, or a name with its own options. */
export type BackendPreference<B extends BackendName = BackendName> =
  | B
  | { [K in B]: { name: K; options?: BackendOptionsOf<K> } }[B];

/** What `backend` may be: 'auto', one name, or an ordered preference (first that starts wins). */
export type BackendRequest = 'auto' | BackendName | readonly BackendPreference[];

/** What happened to one candidate while a backend was being picked. */
export interface SelectionAttempt {
  name: string;
  /** 'chosen': probed available and created; 'skipped': not registered or the probe said no; 'failed': create() threw */
  outcome: 'chosen' | 'skipped' | 'failed';
  /** the probe's reason (which engine, or why not), or the create error */
  reason?: string;
  /** the probe's priority, where it was probed */
  priority?: number;
}

/** How a backend was picked: what was asked, every candidate considered in order, and the winner. */
export interface Selection {
  /** 'auto', or the names asked for, in order */
  requested: 'auto' | string[];
  /** name of the backend that was created */
  chosen: string;
  /**
   * Every candidate considered: for a list, in its order up to the chosen one (later entries were
   * not tried and are absent); for 'auto', every backend whose probe said no, then the available
   * ones in priority order up to the chosen one.
   */
  attempts: SelectionAttempt[];
}

async function runProbe(d: BackendDescriptor, options?: unknown): Promise<ProbeReport> {
  try {
    const r = await d.probe(options);
    const p: Probe = typeof r === 'boolean' ? { available: r } : r;
    return { name: d.name, priority: p.priority ?? d.priority, available: p.available, reason: p.reason };
  } catch (e) {
    return { name: d.name, priority: d.priority, available: false, reason: `probe threw: ${(e as Error)?.message ?? e}` };
  }
}

const OP = 'createContext';

interface Candidate {
  name: string;
  options: unknown;
}

/**
 * Backends by name. `create('auto')` probes each and creates the available one with the highest
 * priority; `create(['gpujs', 'wasm', 'js'])` takes the first in order that probes available and
 * is created without error; the created backend's `name` and `engine` say which one runs, and
 * `select()` also returns the Selection (what was tried, skipped and why).
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

  /** Probes every registered backend (each given `options`, as create would be); best first. */
  async probeAll(options?: unknown): Promise<ProbeReport[]> {
    const reports = await Promise.all([...this.#backends.values()].map((d) => runProbe(d, options)));
    return reports.sort((a, b) => Number(b.available) - Number(a.available) || b.priority - a.priority);
  }

  /** Creates the named backend, with 'auto' the best available one, or with a list the first of it that starts. */
  async create<B extends BackendName>(
    name: 'auto' | B | readonly BackendPreference[] = 'auto',
    options?: BackendOptionsOf<B>,
  ): Promise<KernelBackend> {
    return (await this.select(name, options)).backend;
  }

  /** As `create`, and says how the backend was picked. */
  async select<B extends BackendName>(
    request: 'auto' | B | readonly BackendPreference[] = 'auto',
    options?: BackendOptionsOf<B>,
  ): Promise<{ backend: KernelBackend; selection: Selection }> {
    const req = request as unknown;
    if (req === 'auto') return this.#auto(options);
    if (typeof req === 'string') {
      const d = this.#backends.get(req);
      if (!d) {
        throw new BackendUnavailableError(
          `backend '${req}' is not registered (registered: ${this.names().join(', ') || 'none'})`,
        );
      }
      this.#checkOptions(d, options);
      const r = await runProbe(d, options);
      if (!r.available) {
        throw new BackendUnavailableError(`backend '${req}' is not available here: ${r.reason ?? 'probe said no'}`);
      }
      const backend = await d.create(options);
      return {
        backend,
        selection: { requested: [req], chosen: d.name, attempts: [{ name: d.name, outcome: 'chosen', reason: r.reason, priority: r.priority }] },
      };
    }
    if (Array.isArray(req)) return this.#ordered(this.#candidates(req, options));
    throw new ValidationError(
      OP,
      'backend',
      "'auto', a registered backend name, or an ordered array of names / { name, options }",
      formatValue(req),
    );
  }

  /**
   * 'auto' may create any registered backend, so its backendOptions must suit every one: a key no
   * backend takes is a typo (UnknownOptionError naming the nearest key of any backend); a key only
   * some take is refused with the way to say it per backend (an ordered list with per-entry
   * options), never passed on to be ignored by the others.
   */
  #checkAutoOptions(options: unknown): void {
    if (options === undefined) return;
    const ds = [...this.#backends.values()];
    const keyed = ds.filter((d) => d.optionKeys);
    const union = [...new Set(keyed.flatMap((d) => d.optionKeys as readonly string[]))];
    checkOptions(OP, options, keyed.length < ds.length ? Object.keys(options ?? {}) : union, {}, 'backendOptions');
    for (const key of Object.keys(options as object)) {
      const without = keyed.filter((d) => !(d.optionKeys as readonly string[]).includes(key)).map((d) => d.name);
      if (without.length === 0) continue;
      const takers = keyed.filter((d) => (d.optionKeys as readonly string[]).includes(key)).map((d) => d.name);
      throw new ValidationError(
        OP,
        `backendOptions.${key}`,
        `options every backend 'auto' may pick accepts (${without.join(', ')} ${without.length > 1 ? 'do' : 'does'} not take '${key}'); ` +
          `give it per backend instead: backend: [{ name: '${takers[0]}', options: { ${key}: ... } }, ${without.map((n) => `'${n}'`).join(', ')}]`,
        `'${key}', an option of ${takers.join(', ')} only`,
      );
    }
  }

  #checkOptions(d: BackendDescriptor<any>, options: unknown, arg = 'backendOptions'): void {
    if (d.optionKeys) checkOptions(OP, options, d.optionKeys as readonly string[], {}, arg);
    else checkOptions(OP, options, Object.keys(options ?? {}), {}, arg); // at least an object
  }

  #candidates(list: readonly unknown[], shared: unknown): Candidate[] {
    if (list.length === 0) {
      throw new ValidationError(OP, 'backend', 'at least one backend name in the preference list', '[]');
    }
    return list.map((e, i) => {
      let c: Candidate;
      if (typeof e === 'string' && e !== 'auto') c = { name: e, options: shared };
      else if (e && typeof e === 'object' && typeof (e as Candidate).name === 'string') {
        checkOptions(OP, e, ['name', 'options'], {}, `backend[${i}]`);
        if ((e as Candidate).options !== undefined && shared !== undefined) {
          throw new ValidationError(
            OP,
            `backend[${i}].options`,
            'options either per entry or in backendOptions, not both',
            'both',
          );
        }
        c = { name: (e as Candidate).name, options: (e as Candidate).options ?? shared };
      } else {
        throw new ValidationError(OP, `backend[${i}]`, "a backend name (not 'auto') or { name, options }", formatValue(e));
      }
      // options are checked up front for every listed backend that is registered, so that a typo
      // fails the same on every platform, not only where that backend happens to be reached
      const d = this.#backends.get(c.name);
      if (d) this.#checkOptions(d, c.options, typeof e === 'string' ? 'backendOptions' : `backend[${i}].options`);
      return c;
    });
  }

  async #ordered(cands: Candidate[]): Promise<{ backend: KernelBackend; selection: Selection }> {
    const attempts: SelectionAttempt[] = [];
    for (const c of cands) {
      const d = this.#backends.get(c.name);
      if (!d) {
        attempts.push({ name: c.name, outcome: 'skipped', reason: `not registered (registered: ${this.names().join(', ') || 'none'})` });
        continue;
      }
      const r = await runProbe(d, c.options);
      if (!r.available) {
        attempts.push({ name: c.name, outcome: 'skipped', reason: r.reason ?? 'probe said no', priority: r.priority });
        continue;
      }
      try {
        const backend = await d.create(c.options);
        attempts.push({ name: c.name, outcome: 'chosen', reason: r.reason, priority: r.priority });
        return { backend, selection: { requested: cands.map((x) => x.name), chosen: c.name, attempts } };
      } catch (e) {
        attempts.push({ name: c.name, outcome: 'failed', reason: `create failed: ${(e as Error)?.message ?? e}`, priority: r.priority });
      }
    }
    throw new BackendUnavailableError(
      `none of the backends [${cands.map((c) => c.name).join(', ')}] could be created: ${attempts.map((a) => `${a.name}: ${a.reason}`).join('; ')}`,
    );
  }

  async #auto(options: unknown): Promise<{ backend: KernelBackend; selection: Selection }> {
    this.#checkAutoOptions(options);
    const reports = await this.probeAll(options);
    // every backend whose probe said no is reported, then the available ones in the order tried
    const attempts: SelectionAttempt[] = reports
      .filter((r) => !r.available)
      .map((r) => ({ name: r.name, outcome: 'skipped' as const, reason: r.reason ?? 'unavailable', priority: r.priority }));
    for (const r of reports) {
      if (!r.available) continue;
      try {
        const backend = await this.#backends.get(r.name)!.create(options);
        attempts.push({ name: r.name, outcome: 'chosen', reason: r.reason, priority: r.priority });
        return { backend, selection: { requested: 'auto', chosen: r.name, attempts } };
      } catch (e) {
        attempts.push({ name: r.name, outcome: 'failed', reason: `create failed: ${(e as Error)?.message ?? e}`, priority: r.priority });
      }
    }
    const errors = attempts.map((a) => `${a.name}: ${a.outcome === 'failed' ? a.reason : (a.reason ?? 'unavailable')}`);
    throw new BackendUnavailableError(`no backend could be created: ${errors.join('; ') || 'none registered'}`);
  }
}

/** The process-wide registry that backend packages' `register()` helpers add to. */
export const registry = new Registry();
