import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** git's empty tree: the base of the very first commit. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export const BUMPS = ['major', 'minor', 'patch', 'none'] as const;
export type Bump = (typeof BUMPS)[number];

export interface WorkspacePackage {
  name: string;
  /** directory relative to the repository root, '/'-separated, no trailing slash */
  dir: string;
  private: boolean;
  version: string;
  /** package.json "files" */
  files: string[];
}

export interface Changeset {
  /** file name in .changeset/ */
  file: string;
  releases: { name: string; type: Bump }[];
  summary: string;
}

export interface CheckOptions {
  /** repository root (default: git's top level of cwd) */
  root?: string;
  /** base ref; default env CHANGESET_BASE, else the merge base, else the first commit */
  base?: string;
  env?: NodeJS.ProcessEnv;
}

export interface PackageReport {
  name: string;
  dir: string;
  /** user-facing files changed since the base */
  files: string[];
  /** changesets naming the package */
  changesets: string[];
  /** version differs from the base: released by `changeset version`, its changesets consumed */
  released: boolean;
  ok: boolean;
}

export interface CheckReport {
  base: string;
  /** how the base was chosen */
  baseReason: string;
  changed: PackageReport[];
  /** problems in the changeset files themselves (unknown or private package, bad bump type) */
  errors: string[];
  ok: boolean;
}

function git(root: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryGit(root: string, args: string[], env?: NodeJS.ProcessEnv): string | null {
  try {
    return git(root, args, env).trim();
  } catch {
    return null;
  }
}

/** Workspace package globs from pnpm-workspace.yaml ("dir/*" or "dir" entries). */
export function workspaceGlobs(root: string): string[] {
  const p = join(root, 'pnpm-workspace.yaml');
  if (!existsSync(p)) return [];
  const globs: string[] = [];
  for (const line of readFileSync(p, 'utf8').split('\n')) {
    const m = /^\s*-\s*['"]?([^'"#]+?)['"]?\s*(?:#.*)?$/.exec(line);
    if (m) globs.push(m[1]!);
  }
  return globs;
}

/** Every package of the pnpm workspace (negated globs are honoured, '**' is not supported). */
export function workspacePackages(root: string): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  const globs = workspaceGlobs(root);
  const excluded = new Set(globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1).replace(/\/$/, '')));
  const dirs: string[] = [];
  for (const g of globs) {
    if (g.startsWith('!')) continue;
    if (g.endsWith('/*')) {
      const parent = g.slice(0, -2);
      if (!existsSync(join(root, parent))) continue;
      for (const e of readdirSync(join(root, parent), { withFileTypes: true })) {
        if (e.isDirectory()) dirs.push(`${parent}/${e.name}`);
      }
    } else {
      dirs.push(g.replace(/\/$/, ''));
    }
  }
  for (const dir of dirs.sort()) {
    if (excluded.has(dir)) continue;
    const pj = join(root, dir, 'package.json');
    if (!existsSync(pj)) continue;
    const pkg = JSON.parse(readFileSync(pj, 'utf8')) as Record<string, unknown>;
    if (typeof pkg.name !== 'string') continue;
    out.push({
      name: pkg.name,
      dir,
      private: pkg.private === true,
      version: typeof pkg.version === 'string' ? pkg.version : '0.0.0',
      files: Array.isArray(pkg.files) ? (pkg.files as string[]) : [],
    });
  }
  return out;
}

/** Parses one changeset file (front matter of `"pkg": bump` lines, then the summary). */
export function parseChangeset(file: string, text: string): Changeset {
  const m = /^\s*---\r?\n([\s\S]*?)\r?\n?---\s*(?:\r?\n([\s\S]*))?$/.exec(text);
  if (!m) throw new Error(`${file}: no front matter (expected '---', "pkg": bump lines, '---', then a summary)`);
  const releases: Changeset['releases'] = [];
  for (const raw of m[1]!.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const r = /^(['"]?)(@?[^'":\s]+)\1\s*:\s*['"]?([a-z]+)['"]?$/.exec(line);
    if (!r) throw new Error(`${file}: cannot read front matter line ${JSON.stringify(line)}`);
    const type = r[3] as Bump;
    if (!BUMPS.includes(type)) throw new Error(`${file}: bump type '${r[3]}' for ${r[2]} is not one of ${BUMPS.join(', ')}`);
    releases.push({ name: r[2]!, type });
  }
  return { file, releases, summary: (m[2] ?? '').trim() };
}

/** The changesets pending in .changeset/ (README.md and non-markdown files excluded). */
export function readChangesets(root: string): { changesets: Changeset[]; errors: string[] } {
  const dir = join(root, '.changeset');
  const changesets: Changeset[] = [];
  const errors: string[] = [];
  if (!existsSync(dir)) return { changesets, errors };
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.md') || f.toLowerCase() === 'readme.md') continue;
    try {
      changesets.push(parseChangeset(f, readFileSync(join(dir, f), 'utf8')));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return { changesets, errors };
}

const TEST_FILE = /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[cm]?[jt]sx?$/;

/**
 * Whether a changed file (relative to its package directory) changes what users of the package
 * get: package.json, tsconfig*.json (they shape dist/), anything under src/ except tests, and
 * anything the package.json "files" list ships other than built output. Tests, benchmarks,
 * scripts and test configs are not.
 */
export function isUserFacing(rel: string, pkg: Pick<WorkspacePackage, 'files'>): boolean {
  if (TEST_FILE.test(rel)) return false;
  if (rel === 'package.json' || /^tsconfig[^/]*\.json$/.test(rel)) return true;
  if (rel.startsWith('src/')) return true;
  if (/^CHANGELOG\.md$/i.test(rel)) return false;
  for (const f of pkg.files) {
    const e = f.replace(/^\.\//, '').replace(/\/\*\*?$/, '').replace(/\/$/, '');
    if (e === 'dist' || e === 'lib' || e === 'build') continue; // built from src/
    if (rel === e || rel.startsWith(`${e}/`)) return true;
  }
  return false;
}

/** Picks the base: explicit, env CHANGESET_BASE, the merge base with the base branch, or the first commit. */
export function resolveBase(root: string, explicit?: string, env: NodeJS.ProcessEnv = process.env): { base: string; reason: string } {
  const wanted = explicit ?? env.CHANGESET_BASE;
  if (wanted) {
    const sha = tryGit(root, ['rev-parse', '--verify', '--quiet', `${wanted}^{commit}`]);
    if (!sha) throw new Error(`changeset-check: base '${wanted}' is not a commit in ${root}`);
    return { base: sha, reason: explicit ? `--base ${wanted}` : `CHANGESET_BASE=${wanted}` };
  }
  const head = tryGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!head) return { base: EMPTY_TREE, reason: 'no commits yet: everything in the working tree' };
  let branch = 'main';
  try {
    const cfg = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8')) as { baseBranch?: string };
    if (cfg.baseBranch) branch = cfg.baseBranch;
  } catch {
    /* default main */
  }
  for (const ref of [`origin/${branch}`, branch]) {
    if (!tryGit(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])) continue;
    const mb = tryGit(root, ['merge-base', 'HEAD', ref]);
    if (mb && mb !== head) return { base: mb, reason: `merge base of HEAD and ${ref}` };
  }
  const roots = (tryGit(root, ['rev-list', '--max-parents=0', 'HEAD']) ?? '').split('\n').filter(Boolean);
  const first = roots[roots.length - 1] ?? head;
  return {
    base: first,
    reason:
      first === head
        ? 'the first (and only) commit: changes in the working tree since it'
        : `the first commit (HEAD is on ${branch} or no ${branch} branch to merge-base with)`,
  };
}

/** Files changed between the base and the working tree (committed, staged, unstaged and untracked). */
export function changedFiles(root: string, base: string): string[] {
  const diff = git(root, ['diff', '--name-only', '--no-renames', base, '--']).split('\n');
  const untracked = git(root, ['ls-files', '--others', '--exclude-standard']).split('\n');
  return [...new Set([...diff, ...untracked].map((s) => s.trim()).filter(Boolean))].sort();
}

function versionAt(root: string, base: string, dir: string): string | null {
  if (base === EMPTY_TREE) return null;
  const text = tryGit(root, ['show', `${base}:${dir}/package.json`]);
  if (!text) return null;
  try {
    const v = (JSON.parse(text) as { version?: unknown }).version;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** Runs the check; never throws for a failing check (see `ok`), only for a broken repository. */
export function checkChangesets(o: CheckOptions = {}): CheckReport {
  const root = o.root ?? git(process.cwd(), ['rev-parse', '--show-toplevel']).trim();
  const { base, reason } = resolveBase(root, o.base, o.env ?? process.env);
  const packages = workspacePackages(root);
  const byName = new Map(packages.map((p) => [p.name, p]));
  const { changesets, errors } = readChangesets(root);
  for (const cs of changesets) {
    if (cs.releases.length === 0) continue; // an empty changeset (changeset --empty) is allowed
    for (const r of cs.releases) {
      const p = byName.get(r.name);
      if (!p) errors.push(`${cs.file}: names ${r.name}, which is not a package of this workspace`);
      else if (p.private) errors.push(`${cs.file}: names ${r.name}, which is private (private packages are not versioned)`);
    }
    if (!cs.summary) errors.push(`${cs.file}: has no summary line after the front matter`);
  }
  const files = changedFiles(root, base);
  const changed: PackageReport[] = [];
  // longest directory first, so nested packages win over their parents
  const sorted = [...packages].sort((a, b) => b.dir.length - a.dir.length);
  const hits = new Map<WorkspacePackage, string[]>();
  for (const f of files) {
    const p = sorted.find((q) => f.startsWith(`${q.dir}/`));
    if (!p || p.private) continue;
    const rel = f.slice(p.dir.length + 1);
    if (!isUserFacing(rel, p)) continue;
    hits.set(p, [...(hits.get(p) ?? []), rel]);
  }
  for (const [p, fs] of [...hits].sort((a, b) => a[0].name.localeCompare(b[0].name))) {
    const named = changesets.filter((c) => c.releases.some((r) => r.name === p.name)).map((c) => c.file);
    const before = versionAt(root, base, p.dir);
    const released = before !== null && before !== p.version;
    changed.push({ name: p.name, dir: p.dir, files: fs, changesets: named, released, ok: named.length > 0 || released });
  }
  return { base, baseReason: reason, changed, errors, ok: errors.length === 0 && changed.every((c) => c.ok) };
}

/** Human-readable report. */
export function formatReport(r: CheckReport): string {
  const lines: string[] = [];
  lines.push(`changeset-check: base ${r.base === EMPTY_TREE ? '(empty tree)' : r.base.slice(0, 12)} (${r.baseReason})`);
  if (r.changed.length === 0) lines.push('changeset-check: no public package has user-facing changes since the base');
  for (const c of r.changed) {
    const why = c.changesets.length ? `named by ${c.changesets.join(', ')}` : c.released ? 'released (version bumped since the base)' : 'NO CHANGESET';
    const shown = c.files.slice(0, 5).join(', ') + (c.files.length > 5 ? `, +${c.files.length - 5} more` : '');
    lines.push(`  ${c.ok ? 'ok     ' : 'MISSING'} ${c.name} (${c.dir}: ${shown}): ${why}`);
  }
  for (const e of r.errors) lines.push(`  ERROR   ${e}`);
  const missing = r.changed.filter((c) => !c.ok);
  if (missing.length) {
    lines.push('');
    lines.push(`changeset-check: ${missing.length} changed public package(s) need a changeset. Add one with \`pnpm changeset\`, or by hand:`);
    lines.push(`  .changeset/${missing[0]!.name.replace(/^@[^/]+\//, '')}-<short>.md`);
    lines.push('  ---');
    for (const c of missing) lines.push(`  "${c.name}": minor`);
    lines.push('  ---');
    lines.push('  One line a user can read in the changelog.');
  }
  lines.push(`changeset-check: ${r.ok ? 'passed' : 'FAILED'}`);
  return lines.join('\n');
}
