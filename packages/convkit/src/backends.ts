import {
  BackendUnavailableError,
  createContext as createCoreContext,
  registry as defaultRegistry,
  type BackendDescriptor,
  type BackendName,
  type BackendPreference,
  type Context,
  type ContextOptions,
  type Registry,
} from '@convkit/core';

/** One backend package the umbrella knows: its backend name, package and how to load its descriptor. */
export interface BackendPackage {
  name: string;
  package: string;
  /** required dependency of `convkit` (always installed) or optional (skipped when absent) */
  optional: boolean;
  load(): Promise<unknown>;
}

/**
 * A variable specifier: bundlers do not try to resolve it at build time, so a bundle builds
 * without the optional package (a browser bundle that wants gpujs imports @convkit/backend-gpujs
 * itself and registers `gpujsBackend`).
 */
const importOptional = (spec: string): Promise<unknown> => import(/* @vite-ignore */ spec);

/**
 * The backend packages, in the order they are loaded and registered. js, wasm and workers are
 * dependencies of `convkit`; gpujs is an optional dependency (gpu.js, with headless-gl and Dawn
 * for Node as its own optional native parts) and is skipped, with the reason, when it is absent.
 */
export const BACKEND_PACKAGES: readonly BackendPackage[] = Object.freeze([
  { name: 'js', package: '@convkit/backend-js', optional: false, load: () => import('@convkit/backend-js').then((m) => m.jsBackend) },
  { name: 'wasm', package: '@convkit/backend-wasm', optional: false, load: () => import('@convkit/backend-wasm').then((m) => m.wasmBackend) },
  {
    name: 'workers',
    package: '@convkit/backend-workers',
    optional: false,
    load: () => import('@convkit/backend-workers').then((m) => m.workersBackend),
  },
  {
    name: 'gpujs',
    package: '@convkit/backend-gpujs',
    optional: true,
    load: () => importOptional('@convkit/backend-gpujs').then((m) => (m as { gpujsBackend?: unknown }).gpujsBackend),
  },
]);

/** What `registerAll` did with one backend package. */
export interface BackendInstall {
  /** backend name ('js', 'wasm', 'workers', 'gpujs') */
  name: string;
  package: string;
  optional: boolean;
  /** the package loaded and its descriptor is on the registry */
  registered: boolean;
  /** why not: not installed, or the error its import raised (e.g. a native part that failed to load) */
  reason?: string;
}

function isDescriptor(d: unknown, name: string): d is BackendDescriptor {
  const x = d as Partial<BackendDescriptor> | null;
  return !!x && x.name === name && typeof x.probe === 'function' && typeof x.create === 'function' && typeof x.priority === 'number';
}

/** A missing package, as Node ('ERR_MODULE_NOT_FOUND'), bundlers and browsers word it. */
function notInstalled(e: unknown, pkg: string): boolean {
  const code = (e as { code?: string })?.code;
  const msg = String((e as Error)?.message ?? e);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return msg.includes(`'${pkg}'`) || msg.includes(`"${pkg}"`);
  return /Failed to resolve module specifier|Cannot find (package|module)/.test(msg) && msg.includes(pkg);
}

/**
 * Loads each package of `packages` and registers its descriptor on `registry`. Never throws for a
 * package that is missing or fails to load: it is reported (`registered: false` with the reason)
 * and the others are registered. Packages load in parallel.
 */
export async function registerPackages(registry: Registry, packages: readonly BackendPackage[]): Promise<BackendInstall[]> {
  const loaded = await Promise.all(
    packages.map(async (p): Promise<[BackendPackage, unknown, unknown]> => {
      try {
        return [p, await p.load(), null];
      } catch (e) {
        return [p, null, e ?? new Error('import failed')];
      }
    }),
  );
  return loaded.map(([p, d, err]): BackendInstall => {
    const base = { name: p.name, package: p.package, optional: p.optional };
    if (err !== null) {
      const why = String((err as Error)?.message ?? err).split('\n')[0];
      return {
        ...base,
        registered: false,
        reason: notInstalled(err, p.package) ? `${p.package} is not installed (${why})` : `${p.package} failed to load: ${why}`,
      };
    }
    if (!isDescriptor(d, p.name)) {
      return { ...base, registered: false, reason: `${p.package} does not export a backend descriptor named '${p.name}'` };
    }
    registry.register(d);
    return { ...base, registered: true };
  });
}

const done = new WeakMap<Registry, Promise<BackendInstall[]>>();

/**
 * Registers every backend package that is installed (js, wasm, workers, and gpujs when its
 * optional package is there) on `registry` (default: @convkit/core's process-wide registry) and
 * says what it did with each. Whether a registered backend starts on this platform is its probe's
 * business: `createContext({ backend: 'auto' })` takes the best one that starts, and
 * `ctx.selection` lists the others with their reasons. Once per registry (later calls return the
 * first call's report).
 */
export function registerAll(registry: Registry = defaultRegistry): Promise<BackendInstall[]> {
  let p = done.get(registry);
  if (!p) {
    p = registerPackages(registry, BACKEND_PACKAGES);
    done.set(registry, p);
  }
  return p;
}

/** A backend as `probeBackends` sees it: installed or not, and whether it starts here. */
export interface BackendStatus extends BackendInstall {
  /** its probe said it starts (false when not registered) */
  available: boolean;
  /** the priority 'auto' ranks it by (when registered) */
  priority?: number;
}

/**
 * Every backend the umbrella knows, on this platform: registered (installed) or not and why, and
 * for each registered one its probe's answer (available, the engine or the reason, the priority),
 * best first as 'auto' ranks them; the ones not installed come last.
 */
export async function probeBackends(registry: Registry = defaultRegistry): Promise<BackendStatus[]> {
  const installs = await registerAll(registry);
  const probes = await registry.probeAll();
  const by = new Map(installs.map((i) => [i.name, i]));
  const out: BackendStatus[] = probes
    .filter((r) => by.get(r.name)?.registered)
    .map((r) => ({ ...by.get(r.name)!, available: r.available, priority: r.priority, ...(r.reason !== undefined ? { reason: r.reason } : {}) }));
  for (const i of installs) if (!i.registered) out.push({ ...i, available: false });
  return out;
}

/**
 * @convkit/core's createContext after `registerAll(registry)`: `createContext()` or
 * `createContext({ backend: 'auto' })` runs on the best backend that starts here; a name or an
 * ordered preference (`['gpujs', 'workers', 'wasm', 'js']`) works as in core, and `ctx.selection`
 * says what was tried and skipped, and why.
 */
export async function createContext<B extends BackendName = BackendName>(
  opts: ContextOptions<B> | 'auto' | B | readonly BackendPreference[] = {},
): Promise<Context> {
  const registry =
    typeof opts === 'object' && opts !== null && !Array.isArray(opts) ? ((opts as ContextOptions<B>).registry ?? defaultRegistry) : defaultRegistry;
  const installs = await registerAll(registry);
  const asked = typeof opts === 'string' ? opts : typeof opts === 'object' && opts !== null && !Array.isArray(opts) ? (opts as ContextOptions<B>).backend : undefined;
  const missing = typeof asked === 'string' ? installs.find((i) => i.name === asked && !i.registered && !registry.has(i.name)) : undefined;
  if (missing) throw new BackendUnavailableError(`backend '${missing.name}' is not available: ${missing.reason}`);
  if (typeof opts === 'string' || Array.isArray(opts)) return createCoreContext({ backend: opts as ContextOptions<B>['backend'], registry } as ContextOptions<B>);
  return createCoreContext({ ...(opts as ContextOptions<B>), registry });
}
