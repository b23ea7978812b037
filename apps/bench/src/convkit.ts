/**
 * convkit backends: every backend package in packages/backend-* is found, imported and probed;
 * each available backend (and every gpu.js mode that is really available) becomes one Impl that
 * runs the workloads through the Context op API.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { BackendDescriptor } from '@convkit/core';
import { implsFromDescriptors, variantsOf, type ConvkitRow } from './convkit_impl.js';
export type { ConvkitRow };

export interface Found {
  pkg: string;
  descriptors: BackendDescriptor[];
  error?: string;
}

function isDescriptor(v: unknown): v is BackendDescriptor {
  return (
    !!v &&
    typeof v === 'object' &&
    typeof (v as BackendDescriptor).name === 'string' &&
    typeof (v as BackendDescriptor).probe === 'function' &&
    typeof (v as BackendDescriptor).create === 'function'
  );
}

/** The repository root (apps/bench/dist/.. /..), where packages/ is. */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

/** Imports every @convkit/backend-* package: by name when it is a dependency, else from its built dist. */
export async function discoverBackends(): Promise<Found[]> {
  const root = repoRoot();
  const pkgDir = path.join(root, 'packages');
  const dirs = existsSync(pkgDir) ? readdirSync(pkgDir).filter((d) => d.startsWith('backend-')).sort() : [];
  if (!dirs.includes('backend-js')) dirs.unshift('backend-js');
  const found: Found[] = [];
  for (const d of dirs) {
    const pkg = `@convkit/${d}`;
    let mod: Record<string, unknown> | null = null;
    let error: string | undefined;
    try {
      mod = (await import(pkg)) as Record<string, unknown>;
    } catch (e1) {
      const dist = path.join(pkgDir, d, 'dist', 'index.js');
      if (existsSync(dist)) {
        try {
          mod = (await import(pathToFileURL(dist).href)) as Record<string, unknown>;
        } catch (e2) {
          error = `import failed: ${(e2 as Error).message}`;
        }
      } else {
        error = `not built (${(e1 as Error).message.split('\n')[0]})`;
      }
    }
    const descriptors: BackendDescriptor[] = [];
    if (mod) {
      const seen = new Set<string>();
      for (const v of Object.values(mod)) {
        if (isDescriptor(v) && !seen.has(v.name)) {
          seen.add(v.name);
          descriptors.push(v);
        }
      }
      if (descriptors.length === 0) error = 'no BackendDescriptor exported';
    }
    found.push({ pkg, descriptors, error });
  }
  return found;
}

/** Creates an Impl for every available backend variant in Node; the rest are listed with the reason. */
export async function convkitImpls(log: (s: string) => void = () => {}): Promise<ConvkitRow[]> {
  const rows: ConvkitRow[] = [];
  for (const f of await discoverBackends()) {
    if (f.descriptors.length === 0) rows.push({ label: f.pkg, skipped: f.error ?? 'nothing exported' });
    else rows.push(...(await implsFromDescriptors(f.descriptors, 'node', log)));
  }
  return rows;
}

/** The row ids the browser half can have (convkit variants in Chromium, threaded tfjs-wasm), for --impl checks. */
export async function browserRowIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const f of await discoverBackends()) for (const d of f.descriptors) for (const v of variantsOf(d.name, 'browser')) ids.push(`convkit:${v.label}@chromium`);
  ids.push('tfjs:wasm-threads@chromium');
  return ids;
}
