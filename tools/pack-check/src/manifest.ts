import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest, WorkspacePackage } from './workspace.js';

export interface Findings {
  /** make the package unpublishable or broken for its users: the check fails */
  errors: string[];
  /** worth fixing, reported but not failing */
  warnings: string[];
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Every (subpath, condition path, target) of an exports map; a string map counts as ".". */
export function exportTargets(exp: unknown): { subpath: string; conditions: string[]; target: string }[] {
  const out: { subpath: string; conditions: string[]; target: string }[] = [];
  const walk = (subpath: string, v: unknown, conds: string[]) => {
    if (typeof v === 'string') out.push({ subpath, conditions: conds, target: v });
    else if (Array.isArray(v)) v.forEach((x) => walk(subpath, x, conds));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(subpath, x, [...conds, k]);
  };
  if (typeof exp === 'string' || Array.isArray(exp)) walk('.', exp, []);
  else if (exp && typeof exp === 'object') {
    const keys = Object.keys(exp);
    if (keys.every((k) => k.startsWith('.'))) for (const k of keys) walk(k, (exp as Record<string, unknown>)[k], []);
    else walk('.', exp, []);
  }
  return out;
}

/** The "." entry's conditions (e.g. ['types', 'default']). */
function rootConditions(exp: unknown): string[] {
  const t = exportTargets(exp).filter((e) => e.subpath === '.');
  return [...new Set(t.flatMap((e) => e.conditions))];
}

/**
 * Checks a workspace package.json for what publishing needs: name, semver version, description,
 * license, "type": "module", an exports map whose "." has "types" and "default"/"import",
 * top-level types and main, files (with dist), and a README with a platform matrix.
 */
export function checkManifest(pkg: WorkspacePackage): Findings {
  const m: Manifest = pkg.manifest;
  const errors: string[] = [];
  const warnings: string[] = [];
  const need = (ok: unknown, what: string) => {
    if (!ok) errors.push(what);
  };
  // 'convkit' is the umbrella package (packages/convkit); every other public package is scoped
  need(
    typeof m.name === 'string' && (m.name === 'convkit' || /^@convkit\/[a-z0-9][a-z0-9.-]*$/.test(m.name)),
    `name: expected @convkit/<lowercase> (or the umbrella 'convkit'), got ${JSON.stringify(m.name)}`,
  );
  need(typeof m.version === 'string' && SEMVER.test(m.version), `version: expected semver, got ${JSON.stringify(m.version)}`);
  need(typeof m.description === 'string' && m.description.trim().length >= 10, 'description: missing or shorter than 10 characters');
  need(typeof m.license === 'string' && m.license.length > 0, 'license: missing');
  need(m.type === 'module', `type: expected "module", got ${JSON.stringify(m.type)}`);
  if (!m.exports) errors.push('exports: missing (an exports map with "." -> { types, default })');
  else {
    const conds = rootConditions(m.exports);
    need(conds.includes('types'), `exports["."]: no "types" condition (has ${conds.join(', ') || 'none'})`);
    need(conds.includes('default') || conds.includes('import'), `exports["."]: no "default" or "import" condition (has ${conds.join(', ') || 'none'})`);
    const order = exportTargets(m.exports).filter((e) => e.subpath === '.').map((e) => e.conditions[0]);
    if (order.includes('types') && order.indexOf('types') !== 0) errors.push('exports["."]: "types" must come first (TypeScript picks the first matching condition)');
  }
  need(typeof m.types === 'string', 'types: missing top-level "types" (for tools that ignore exports)');
  need(typeof m.main === 'string' || m.bin !== undefined, 'main: missing top-level "main" (for tools that ignore exports)');
  if (!Array.isArray(m.files) || m.files.length === 0) errors.push('files: missing (without it the tarball ships src, tests and configs)');
  else need(m.files.some((f) => /^(\.\/)?dist(\/.*)?$/.test(f)), `files: does not include dist (${m.files.join(', ')})`);
  for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
    if (range.startsWith('file:') || range.startsWith('link:')) errors.push(`dependencies.${dep}: ${range} cannot be published`);
  }
  const readme = join(pkg.dir, 'README.md');
  if (!existsSync(readme)) errors.push('README.md: missing');
  else {
    const text = readFileSync(readme, 'utf8');
    if (!/platform/i.test(text)) warnings.push('README.md: no platform matrix (say which runtimes it runs on: Node, browsers, workers)');
  }
  return { errors, warnings };
}

/** Checks a packed tarball: entry points present, no workspace: ranges, no tests or sources shipped. */
export function checkTarball(pkg: WorkspacePackage, files: readonly string[], packed: Manifest): Findings {
  const errors: string[] = [];
  const warnings: string[] = [];
  const have = new Set(files.map((f) => f.replace(/^package\//, '')));
  const norm = (p: string) => p.replace(/^\.\//, '');
  const check = (where: string, target: string) => {
    if (target.includes('*')) {
      const prefix = norm(target.slice(0, target.indexOf('*')));
      if (![...have].some((f) => f.startsWith(prefix))) errors.push(`${where}: nothing in the tarball matches ${target}`);
    } else if (!have.has(norm(target))) {
      errors.push(`${where}: ${target} is not in the tarball${norm(target).startsWith('dist/') ? ' (run pnpm build first?)' : ''}`);
    }
  };
  for (const e of exportTargets(packed.exports)) check(`exports["${e.subpath}"]${e.conditions.map((c) => `.${c}`).join('')}`, e.target);
  if (typeof packed.main === 'string') check('main', packed.main);
  if (typeof packed.types === 'string') check('types', packed.types);
  if (typeof packed.bin === 'string') check('bin', packed.bin);
  else if (packed.bin) for (const [k, v] of Object.entries(packed.bin)) check(`bin.${k}`, v);
  if (!have.has('README.md')) errors.push('README.md is not in the tarball');
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
    for (const [dep, range] of Object.entries((packed[field] as Record<string, string> | undefined) ?? {})) {
      if (range.startsWith('workspace:')) errors.push(`packed ${field}.${dep} is still ${range}`);
    }
  }
  const tests = [...have].filter((f) => /\.(test|spec)\.(d\.ts|js|ts|mjs)(\.map)?$/.test(f));
  if (tests.length) warnings.push(`tarball ships ${tests.length} test file(s), e.g. ${tests[0]} (exclude them in tsconfig.build.json or files)`);
  const sources = [...have].filter((f) => f.startsWith('src/'));
  if (sources.length && !(packed.files ?? []).some((f) => f.startsWith('src'))) warnings.push(`tarball ships src/ (${sources.length} files)`);
  void pkg;
  return { errors, warnings };
}
