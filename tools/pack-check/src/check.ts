import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, externalDeps, npmInstall, packPackages, run, runtimeClosure, type Packed } from './pack.js';
import { compareSmoke, runSmoke, type SmokeResult } from './smoke.js';
import { publicPackages, workspaceRoot } from './workspace.js';

export interface ImportResult {
  name: string;
  ok: boolean;
  /** the entry point's export names, when it loaded */
  exports?: string[];
  error?: string;
  /** why it was not installed (registry dependencies) */
  skipped?: string;
  /** loaded only with an optional peer dependency present (reported, not failed) */
  warning?: string;
}

export interface PackCheckReport {
  root: string;
  workDir: string;
  packed: Packed[];
  /** the npm project the offline-installable tarballs went into */
  installDir: string;
  installed: string[];
  smoke: SmokeResult;
  smokeErrors: string[];
  imports: ImportResult[];
  ok: boolean;
}

export interface PackCheckOptions {
  root?: string;
  /** where tarballs and temp projects go (default: a new temp dir) */
  workDir?: string;
  log?: (line: string) => void;
}

const IMPORT_SCRIPT = `const names = JSON.parse(process.argv[2]);
const out = [];
for (const name of names) {
  try {
    const m = await import(name);
    out.push({ name, ok: true, exports: Object.keys(m).sort() });
  } catch (e) {
    out.push({ name, ok: false, error: String(e && e.stack || e).slice(0, 2000) });
  }
}
console.log(JSON.stringify(out));
`;

/**
 * Packs every public package, checks manifests and tarballs, installs (npm, offline) every tarball
 * whose runtime dependencies are all workspace packages into one temp project, imports each of
 * them, and runs conv2d/conv1d from @convkit/core + @convkit/backend-js against hand-computed values.
 */
export function packCheck(o: PackCheckOptions = {}): PackCheckReport {
  const log = o.log ?? (() => {});
  const root = o.root ?? workspaceRoot();
  const workDir = o.workDir ?? mkdtempSync(join(tmpdir(), 'convkit-pack-check-'));
  const pkgs = publicPackages(root);
  log(`pack-check: packing ${pkgs.length} public packages: ${pkgs.map((p) => p.name).join(', ')}`);
  const packed = packPackages(root, pkgs, join(workDir, 'tarballs'));
  for (const p of packed) {
    log(`  ${p.findings.errors.length ? 'FAIL' : 'ok  '} ${p.pkg.name}@${p.manifest.version} ${(p.bytes / 1024).toFixed(1)} kB, ${p.files.length} files`);
    for (const e of p.findings.errors) log(`       error: ${e}`);
    for (const w of p.findings.warnings) log(`       warning: ${w}`);
  }

  // Install every package whose runtime closure needs nothing from the registry.
  const installable = packed.filter((p) => runtimeClosure([p.pkg.name], packed).every((n) => externalDeps(packed.find((q) => q.pkg.name === n)!, packed).length === 0));
  const installed = installable.map((p) => p.pkg.name);
  const installDir = join(workDir, 'consumer');
  log(`pack-check: npm install --offline ${installed.join(', ')}`);
  npmInstall(
    installDir,
    installable.map((p) => p.tarball),
    { offline: true },
  );

  const imports: ImportResult[] = packed
    .filter((p) => !installed.includes(p.pkg.name))
    .map((p) => ({ name: p.pkg.name, ok: true, skipped: `needs registry packages: ${runtimeClosure([p.pkg.name], packed).flatMap((n) => externalDeps(packed.find((q) => q.pkg.name === n)!, packed)).join(', ')}` }));
  const importable = installable.filter((p) => p.manifest.exports !== undefined || typeof p.manifest.main === 'string').map((p) => p.pkg.name);
  writeFileSync(join(installDir, 'imports.mjs'), IMPORT_SCRIPT);
  const got = JSON.parse(run(process.execPath, ['imports.mjs', JSON.stringify(importable)], installDir, childEnv()).trim().split('\n').pop()!) as ImportResult[];
  // An entry point that fails only because a declared *optional* peer dependency is absent is a
  // warning (the package says it may be used without it, so its main entry should not need it).
  for (const i of got) {
    if (i.ok) continue;
    const p = packed.find((q) => q.pkg.name === i.name)!;
    const missing = /Cannot find package '([^']+)'/.exec(i.error ?? '')?.[1];
    const optional = Object.entries(p.manifest.peerDependenciesMeta ?? {}).filter(([, m]) => m?.optional).map(([n]) => n);
    if (missing && optional.includes(missing)) {
      i.ok = true;
      i.warning = `its main entry cannot load without the optional peer dependency '${missing}' (import it from a subpath export instead)`;
      p.findings.warnings.push(i.warning);
    }
  }
  imports.push(...got);
  imports.sort((a, b) => a.name.localeCompare(b.name));
  for (const i of imports) {
    const first = (i.error ?? '').split('\n')[0];
    log(`  import ${i.name}: ${i.skipped ? `skipped (${i.skipped})` : i.warning ? `WARNING: ${i.warning}` : i.ok ? `ok (${i.exports!.length} exports)` : `FAILED ${first}`}`);
  }

  if (!installed.includes('@convkit/core') || !installed.includes('@convkit/backend-js')) {
    throw new Error(`@convkit/core and @convkit/backend-js must install offline from their tarballs (installed: ${installed.join(', ')})`);
  }
  const smoke = runSmoke(installDir);
  const smokeErrors = compareSmoke(smoke);
  log(`pack-check: conv2d/conv1d from the installed tarballs on ${smoke.backend}/${smoke.engine}: ${smokeErrors.length ? smokeErrors.join('; ') : 'matches the hand-computed values'}`);

  const ok = packed.every((p) => p.findings.errors.length === 0) && smokeErrors.length === 0 && imports.every((i) => i.ok);
  return { root, workDir, packed, installDir, installed, smoke, smokeErrors, imports, ok };
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
