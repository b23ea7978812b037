import { readMatrix, type UwMatrix } from './matrix.js';

/*
 * Node-only helpers, written without static `node:` imports so that the package entry stays
 * browser-safe: they use process.getBuiltinModule (Node >= 20.16) and return null elsewhere.
 */

type Fs = typeof import('node:fs');
type Path = typeof import('node:path');

function nodeModules(): { fs: Fs; path: Path } | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (!p || typeof p.getBuiltinModule !== 'function') return null;
  const fs = p.getBuiltinModule('node:fs') as Fs | undefined;
  const path = p.getBuiltinModule('node:path') as Path | undefined;
  return fs && path ? { fs, path } : null;
}

function moduleDir(): string | null {
  try {
    const u = new URL(import.meta.url);
    if (u.protocol !== 'file:') return null;
    return decodeURIComponent(u.pathname).replace(/\/[^/]*$/, '');
  } catch {
    return null;
  }
}

let cachedDir: string | null | undefined;

/**
 * The directory of the uwnet golden data, or null when absent:
 * - env CONVKIT_SHARED (the `shared` directory, or its golden/uwnet directly) wins when set;
 * - otherwise walk up from process.cwd() and from this module's file, and at every level look for
 *   `shared/golden/uwnet` (a `shared` sibling of the repo, as CI lays it out: ../shared).
 */
export function findUwnetDir(): string | null {
  if (cachedDir !== undefined) return cachedDir;
  cachedDir = search();
  return cachedDir;
}

function search(): string | null {
  const m = nodeModules();
  if (!m) return null;
  const { fs, path } = m;
  const isDir = (d: string) => {
    try {
      return fs.statSync(d).isDirectory();
    } catch {
      return false;
    }
  };
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.CONVKIT_SHARED;
  if (env) {
    for (const d of [path.join(env, 'golden', 'uwnet'), path.join(env, 'uwnet'), env]) {
      if (isDir(d) && fs.existsSync(path.join(d, 'FORMAT.md'))) return path.resolve(d);
    }
    return null;
  }
  const starts = [process.cwd(), moduleDir()].filter((s): s is string => !!s);
  for (const start of starts) {
    let dir = path.resolve(start);
    for (;;) {
      const cand = path.join(dir, 'shared', 'golden', 'uwnet');
      if (isDir(cand)) return cand;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}

/**
 * Loads `<name>.matrix` (name with or without the extension) from the uwnet golden data, or
 * returns null when the data directory (or that file) is absent. Node only (null in a browser).
 */
export function loadUwnet(name: string): UwMatrix | null {
  const dir = findUwnetDir();
  const m = nodeModules();
  if (!dir || !m) return null;
  const file = m.path.join(dir, name.endsWith('.matrix') ? name : `${name}.matrix`);
  if (!m.fs.existsSync(file)) return null;
  const buf = m.fs.readFileSync(file);
  return readMatrix(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
}

/** Forget the cached directory (tests that change CONVKIT_SHARED). */
export function resetUwnetCache(): void {
  cachedDir = undefined;
}
