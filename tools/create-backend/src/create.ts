import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { changesetFile, identifiers, renderPackage, type TemplateVars } from './templates.js';

/** Backend names: lowercase words joined by '-', starting with a letter (npm and identifier safe). */
export const NAME_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export interface CreateOptions {
  /** registry name of the backend, e.g. 'wasm-simd' */
  name: string;
  /** workspace root (holds pnpm-workspace.yaml); default: found from `cwd` upwards */
  root?: string;
  /** target directory; default `<root>/packages/backend-<name>` */
  dir?: string;
  /** where to start looking for the workspace root; default process.cwd() */
  cwd?: string;
  /** overwrite a non-empty target directory */
  force?: boolean;
  /** also write `<root>/.changeset/backend-<name>-initial.md` (default true when the root has .changeset/) */
  changeset?: boolean;
}

export interface CreateResult {
  /** absolute path of the new package */
  dir: string;
  pkgName: string;
  /** paths written, relative to the workspace root */
  files: string[];
}

/** Dev tool versions of the workspace (kept equal in a scaffolded package). */
export const VERSIONS = { typescript: '5.9.3', vitest: '4.1.12', typesNode: '^20.19.0' } as const;

/** The nearest directory at or above `from` that holds pnpm-workspace.yaml, or null. */
export function findWorkspaceRoot(from: string): string | null {
  let d = resolve(from);
  for (;;) {
    if (existsSync(join(d, 'pnpm-workspace.yaml'))) return d;
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
}

export class CreateBackendError extends Error {
  override name = 'CreateBackendError';
}

/**
 * Writes a new backend package: package.json, tsconfigs, vitest config, README, src/index.ts,
 * src/backend.ts (defineBackend with the runtime and the kernel table, the registry descriptor),
 * src/runtime.ts (working Float32Array storage), src/kernels.ts (the kernel table, empty: every
 * op's line commented out), one src/ops/<op>.ts per kernel op of core's records (typed
 * `Kernel<Runtime, op>`, throwing NotImplementedError), and the three-line conformance test. The
 * capabilities are the table's keys, so core and the conformance suite report every op as not
 * implemented until its line is added.
 */
export function createBackend(o: CreateOptions): CreateResult {
  const name = o.name;
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new CreateBackendError(
      `invalid backend name ${JSON.stringify(name)}: use lowercase letters, digits and '-', starting with a letter (e.g. 'wasm-simd')`,
    );
  }
  const root = o.root ? resolve(o.root) : findWorkspaceRoot(o.cwd ?? process.cwd());
  if (!root) {
    throw new CreateBackendError(
      `no pnpm-workspace.yaml found at or above ${o.cwd ?? process.cwd()}: run inside the convkit repository or pass --root`,
    );
  }
  const dir = o.dir ? resolve(o.cwd ?? process.cwd(), o.dir) : join(root, 'packages', `backend-${name}`);
  if (existsSync(dir) && readdirSync(dir).length > 0 && !o.force) {
    throw new CreateBackendError(`${dir} exists and is not empty (pass --force to overwrite)`);
  }
  const base = join(root, 'tsconfig.base.json');
  const tsconfigBase = relative(dir, base).split(sep).join('/');
  const pkgName = `@convkit/backend-${name}`;
  const vars: TemplateVars = {
    name,
    pkgName,
    ...identifiers(name),
    range: 'workspace:*',
    tsconfigBase: tsconfigBase.startsWith('.') ? tsconfigBase : `./${tsconfigBase}`,
    versions: { ...VERSIONS },
  };
  const files = renderPackage(vars);
  const written: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    written.push(relative(root, p).split(sep).join('/'));
  }
  const csDir = join(root, '.changeset');
  if (o.changeset ?? existsSync(csDir)) {
    const p = join(csDir, `backend-${name}-initial.md`);
    mkdirSync(csDir, { recursive: true });
    if (!existsSync(p) || o.force) {
      writeFileSync(p, changesetFile(vars));
      written.push(relative(root, p).split(sep).join('/'));
    }
  }
  return { dir, pkgName, files: written };
}
