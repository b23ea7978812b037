import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Manifest {
  name?: string;
  version?: string;
  private?: boolean;
  description?: string;
  license?: string;
  type?: string;
  main?: string;
  types?: string;
  exports?: unknown;
  files?: string[];
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

export interface WorkspacePackage {
  name: string;
  version: string;
  /** absolute directory */
  dir: string;
  /** directory relative to the workspace root */
  rel: string;
  manifest: Manifest;
}

/** The repository root: the nearest pnpm-workspace.yaml above this file (or `from`). */
export function workspaceRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let d = resolve(from);
  for (;;) {
    if (existsSync(join(d, 'pnpm-workspace.yaml'))) return d;
    const up = dirname(d);
    if (up === d) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    d = up;
  }
}

/** Every package matched by pnpm-workspace.yaml's "dir/*" globs. */
export function workspacePackages(root: string): WorkspacePackage[] {
  const text = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const globs = [...text.matchAll(/^\s*-\s*['"]?([^'"#\s]+)['"]?/gm)].map((m) => m[1]!);
  const out: WorkspacePackage[] = [];
  for (const g of globs) {
    if (g.startsWith('!')) continue;
    const parents = g.endsWith('/*') ? [g.slice(0, -2)] : [];
    const dirs = parents.length
      ? parents.flatMap((p) =>
          existsSync(join(root, p))
            ? readdirSync(join(root, p), { withFileTypes: true })
                .filter((e) => e.isDirectory())
                .map((e) => `${p}/${e.name}`)
            : [],
        )
      : [g];
    for (const rel of dirs) {
      const pj = join(root, rel, 'package.json');
      if (!existsSync(pj)) continue;
      const manifest = JSON.parse(readFileSync(pj, 'utf8')) as Manifest;
      if (typeof manifest.name !== 'string') continue;
      out.push({ name: manifest.name, version: manifest.version ?? '0.0.0', dir: join(root, rel), rel, manifest });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Packages that would be published: not `"private": true`. */
export function publicPackages(root: string): WorkspacePackage[] {
  return workspacePackages(root).filter((p) => p.manifest.private !== true);
}
