/**
 * How the CLI finds a backend in a package (the convention, also in the README):
 *
 * The module's exports are searched, in this order, for `default`, `descriptor`, `backend`, then
 * every other named export. A candidate may be
 *   - a BackendDescriptor ({ name, priority, probe(), create(options) }),
 *   - a KernelBackend instance (has `capabilities` and `write`), or
 *   - a factory function returning one of those (sync or async; called with no arguments; only
 *     for `default`, `descriptor` and `backend`).
 * With --backend NAME the candidate whose name is NAME wins; without it the first one found.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BackendDescriptor, KernelBackend } from '@convkit/core';

export interface LoadedBackend {
  name: string;
  /** where it came from: 'export descriptor (BackendDescriptor)' etc. */
  via: string;
  /** `options` go to a descriptor's `create(options)` or a factory export; a KernelBackend instance export takes none. */
  create: (options?: Record<string, unknown>) => Promise<KernelBackend>;
}

const isDescriptor = (v: unknown): v is BackendDescriptor =>
  !!v && typeof v === 'object' && typeof (v as BackendDescriptor).name === 'string' && typeof (v as BackendDescriptor).create === 'function' && typeof (v as BackendDescriptor).probe === 'function';
const isBackend = (v: unknown): v is KernelBackend =>
  !!v && typeof v === 'object' && typeof (v as KernelBackend).write === 'function' && (v as KernelBackend).capabilities instanceof Set;

/** Resolves a package name (from cwd) or a path (file or package directory) to a module URL. */
export function resolveModule(spec: string, cwd = process.cwd()): string {
  const looksLikePath = spec.startsWith('.') || isAbsolute(spec) || existsSync(resolve(cwd, spec));
  if (looksLikePath) {
    const p = resolve(cwd, spec);
    if (statSync(p).isDirectory()) {
      const pkgFile = join(p, 'package.json');
      if (existsSync(pkgFile)) {
        const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
        const exp = pkg.exports;
        let entry: string | undefined;
        const pick = (e: unknown): string | undefined =>
          typeof e === 'string' ? e : e && typeof e === 'object' ? pick((e as any).import ?? (e as any).node ?? (e as any).default) : undefined;
        if (exp) entry = pick(typeof exp === 'string' || !('.' in exp) ? exp : exp['.']);
        entry ??= pkg.module ?? pkg.main ?? 'index.js';
        return pathToFileURL(join(p, entry!)).href;
      }
      return pathToFileURL(join(p, 'index.js')).href;
    }
    return pathToFileURL(p).href;
  }
  const req = createRequire(join(cwd, '__convkit_conformance__.js'));
  return pathToFileURL(req.resolve(spec)).href;
}

async function materialize(v: unknown): Promise<BackendDescriptor | KernelBackend | null> {
  if (isDescriptor(v) || isBackend(v)) return v;
  if (typeof v === 'function') {
    try {
      const r = await (v as () => unknown)();
      if (isDescriptor(r) || isBackend(r)) return r;
    } catch {
      return null;
    }
  }
  return null;
}

/** Imports a backend package and picks its backend by the convention above. */
export async function loadBackendModule(spec: string, opts: { backend?: string; cwd?: string } = {}): Promise<LoadedBackend> {
  const url = resolveModule(spec, opts.cwd);
  const mod = (await import(url)) as Record<string, unknown>;
  const found: LoadedBackend[] = [];
  const consider = async (key: string, allowFactory: boolean) => {
    const v = mod[key];
    if (v === undefined) return;
    const m = allowFactory ? await materialize(v) : isDescriptor(v) || isBackend(v) ? v : null;
    if (!m) return;
    if (isDescriptor(m)) {
      found.push({
        name: m.name,
        via: `export '${key}' (BackendDescriptor)`,
        create: async (options) => {
          const probe = await m.probe();
          const ok = typeof probe === 'boolean' ? probe : probe.available;
          if (!ok) throw new Error(`backend '${m.name}' is not available here: ${typeof probe === 'object' ? (probe as { reason?: string }).reason ?? '' : ''}`);
          return m.create(options);
        },
      });
    } else {
      let used = false;
      found.push({
        name: m.name,
        via: `export '${key}' (KernelBackend${typeof v === 'function' ? ' factory' : ''})`,
        create: async (options) => {
          if (typeof v === 'function') return (await (v as (o?: unknown) => unknown)(options)) as KernelBackend;
          if (options !== undefined) throw new Error(`backend options given, but export '${key}' is a KernelBackend instance, which takes none; export a factory or descriptor`);
          if (used) throw new Error('a KernelBackend instance export can only be used once; export a factory or descriptor');
          used = true;
          return m;
        },
      });
    }
  };
  for (const k of ['default', 'descriptor', 'backend']) await consider(k, true);
  for (const k of Object.keys(mod).sort()) if (!['default', 'descriptor', 'backend'].includes(k)) await consider(k, false);
  const pick = opts.backend ? found.find((f) => f.name === opts.backend) : found[0];
  if (!pick) {
    const names = found.map((f) => `${f.name} (${f.via})`).join(', ') || 'none';
    throw new Error(
      opts.backend
        ? `no backend named '${opts.backend}' in ${spec}; found: ${names}`
        : `no backend found in ${spec}: export a BackendDescriptor or KernelBackend factory as default, 'descriptor' or 'backend'`,
    );
  }
  return pick;
}
