import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkManifest, checkTarball, type Findings } from './manifest.js';
import type { Manifest, WorkspacePackage } from './workspace.js';

export interface Packed {
  pkg: WorkspacePackage;
  /** absolute path of the .tgz */
  tarball: string;
  /** paths inside the tarball, relative to package/ */
  files: string[];
  /** package.json as packed (workspace: ranges rewritten) */
  manifest: Manifest;
  bytes: number;
  findings: Findings;
}

/** Environment for child npm/pnpm runs: the caller's, without the npm_* variables a parent pnpm script sets. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // what a parent pnpm/npm script injects; npm_config_* set by the user (registry, cache) stay
    if (/^(npm_(package|lifecycle)_|npm_(execpath|node_execpath|command)$|npm_config_(user_agent|verify_deps_before_run)$|pnpm_config_)/i.test(k)) continue;
    if (k === 'INIT_CWD' || k === 'PNPM_SCRIPT_SRC_DIR' || k === 'PNPM_PACKAGE_NAME') continue;
    env[k] = v;
  }
  return { ...env, NO_UPDATE_NOTIFIER: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

export class CommandError extends Error {
  constructor(
    readonly cmd: string,
    readonly result: SpawnSyncReturns<string>,
  ) {
    super(
      `${cmd} failed (exit ${result.status}${result.signal ? `, ${result.signal}` : ''}${result.error ? `, ${result.error.message}` : ''}):\n` +
        `${(result.stdout ?? '').slice(-4000)}\n${(result.stderr ?? '').slice(-4000)}`,
    );
  }
}

/** Runs a command, returns its stdout; throws CommandError with both streams on failure. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = childEnv(), timeoutMs = 180_000): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new CommandError(`${cmd} ${args.join(' ')} (in ${cwd})`, r);
  return r.stdout;
}

/** Like run, but returns the whole result (status, stdout, stderr) whatever the exit code. */
export function runAll(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = childEnv(), timeoutMs = 180_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
}

/**
 * Packs packages with one `pnpm pack` over the workspace (pnpm rewrites workspace: ranges to the
 * real versions, as `pnpm publish` does), then checks each manifest and tarball.
 */
export function packPackages(root: string, pkgs: readonly WorkspacePackage[], dest: string): Packed[] {
  mkdirSync(dest, { recursive: true });
  if (pkgs.length === 0) return [];
  const filters = pkgs.flatMap((p) => ['--filter', p.name]);
  const out = run('pnpm', ['-r', ...filters, 'pack', '--pack-destination', dest, '--json'], root);
  const start = out.indexOf('[') >= 0 && (out.indexOf('{') < 0 || out.indexOf('[') < out.indexOf('{')) ? out.indexOf('[') : out.indexOf('{');
  const parsed = JSON.parse(out.slice(start)) as unknown;
  const list = (Array.isArray(parsed) ? parsed : [parsed]) as { name: string; filename: string; files: { path: string }[] }[];
  const byName = new Map(list.map((e) => [e.name, e]));
  return pkgs.map((pkg) => {
    const e = byName.get(pkg.name);
    if (!e) throw new Error(`pnpm pack did not report ${pkg.name} (got ${[...byName.keys()].join(', ')})`);
    const manifest = JSON.parse(run('tar', ['-xzOf', e.filename, 'package/package.json'], dest)) as Manifest;
    const files = e.files.map((f) => f.path);
    const a = checkManifest(pkg);
    const b = checkTarball(pkg, files, manifest);
    return {
      pkg,
      tarball: e.filename,
      files,
      manifest,
      bytes: readFileSync(e.filename).byteLength,
      findings: { errors: [...a.errors, ...b.errors], warnings: [...a.warnings, ...b.warnings] },
    };
  });
}

/** Names of the workspace packages `names` need at run time, themselves included (dependencies only). */
export function runtimeClosure(names: readonly string[], packed: readonly Packed[]): string[] {
  const by = new Map(packed.map((p) => [p.pkg.name, p]));
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    const p = by.get(n);
    if (!p) throw new Error(`${n} is needed but was not packed`);
    seen.add(n);
    for (const d of Object.keys(p.manifest.dependencies ?? {})) if (by.has(d)) visit(d);
  };
  names.forEach(visit);
  return [...seen].sort();
}

/** Registry (non-workspace) runtime dependencies of a packed package: those npm would fetch. */
export function externalDeps(p: Packed, packed: readonly Packed[]): string[] {
  const ours = new Set(packed.map((q) => q.pkg.name));
  return Object.keys(p.manifest.dependencies ?? {}).filter((d) => !ours.has(d));
}

/**
 * A temp npm project with the given tarballs installed by npm. `offline` forbids the registry:
 * every package must come from the tarballs.
 */
export function npmInstall(dir: string, tarballs: readonly string[], opts: { offline?: boolean; name?: string } = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: opts.name ?? 'convkit-pack-check-consumer', version: '0.0.0', private: true, type: 'module' }, null, 2) + '\n',
  );
  const args = ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];
  if (opts.offline) args.push('--offline');
  run('npm', [...args, ...tarballs.map((t) => relativeSpec(dir, t))], dir);
}

/** A path npm reads as a local file spec ('./x.tgz' or '../x.tgz', never a bare name). */
export function relativeSpec(from: string, file: string): string {
  const r = relative(from, file);
  return r.startsWith('.') || r.startsWith('/') ? r : `./${r}`;
}

/** Copies a directory, leaving out node_modules, dist and lockfiles. */
export function copyProject(src: string, dest: string): void {
  cpSync(src, dest, {
    recursive: true,
    filter: (s) => !/(^|[\\/])(node_modules|dist|package-lock\.json)$/.test(relative(src, s)),
  });
}
