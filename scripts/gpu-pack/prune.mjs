#!/usr/bin/env node
// Writes the pruned, built tree that the GPU-machine run needs (scripts/gpu-pack/pack.sh calls it):
//
//   node scripts/gpu-pack/prune.mjs <stage>/tree
//
// Starting from apps/bench, packages/conformance and packages/backend-gpujs it walks the
// dependencies (dependencies, optionalDependencies, peerDependencies) the way Node resolves them
// (<dir>/node_modules/<name>, then each parent), copies each package it reaches once, at the same
// path relative to the repository root, and recreates every pnpm symlink it crossed with the same
// relative target, so the copy resolves exactly as the workspace does. Workspace packages
// contribute package.json plus their `files` (dist/, golden/); npm packages everything but
// sources maps, type declarations, docs and tests, with the per-package cuts in PRUNE (only the
// linux-x64 native binaries, only the Node bundles of tfjs). Dependencies that the GPU run never
// loads are left out (SKIP). Prints what it wrote as JSON on stdout.
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRIES = ['apps/bench', 'packages/conformance', 'packages/backend-gpujs'];

/**
 * Never packed: the bench's browser half (esbuild, playwright-core; the GPU run passes --no-browser),
 * headless-gl (needs an X display with GLX, which the GPU machine does not have; gpu.js loads it in
 * a try and runs without it), gpu.js's own webgpu@0.2.9 dependency (gpu.js never requires it;
 * backend-gpujs brings webgpu@0.6.2), type-only packages.
 */
const SKIP = (name, parent) =>
  name === 'esbuild' || name === 'playwright-core' || name === 'gl' || name.startsWith('@types/') || name === 'typescript' || name === 'vitest' || (name === 'webgpu' && parent === 'gpu.js');

/** Files never needed at run time in npm packages. */
const DROP_FILE = /(\.map|\.d\.[cm]?ts|\.tsbuildinfo|(^|\/)(CHANGELOG|HISTORY|README)[^/]*|\.markdown|_test\.js|\.test\.js|\.spec\.js)$/i;
const DROP_DIR = /^(test|tests|__tests__|docs?|examples?|\.github|benchmark|coverage)$/;

/** Per-package cuts (paths relative to the package directory; return false to drop). */
const PRUNE = {
  // Dawn: only the linux-x64 dawn.node (the other four platforms are ~110 MB)
  webgpu: (rel) => !rel.startsWith('dist/') || rel.startsWith('dist/linux-x64/'),
  // the CPU execution provider for linux-x64 only (no darwin, win32 DirectML, arm64)
  'onnxruntime-node': (rel) => !rel.startsWith('bin/') || rel.startsWith('bin/napi-v6/linux/x64/'),
  // gpu.js runs from src/ in Node; dist/ holds the browser bundles
  'gpu.js': (rel) => !rel.startsWith('dist/'),
  // tfjs: Node loads the self-contained dist/tf-*.node.js bundle (package.json "main") and the wasm-out/ binaries
  '@tensorflow/tfjs-core': (rel) => rel === 'package.json' || /^dist\/tf-[\w-]+\.node\.js$/.test(rel),
  '@tensorflow/tfjs-backend-cpu': (rel) => rel === 'package.json' || /^dist\/tf-[\w-]+\.node\.js$/.test(rel),
  '@tensorflow/tfjs-backend-webgpu': (rel) => rel === 'package.json' || /^dist\/tf-[\w-]+\.node\.js$/.test(rel),
  // the Node bundle loads its .wasm binaries from dist/ (wasm-out/ holds the same builds plus their emscripten glue)
  '@tensorflow/tfjs-backend-wasm': (rel) => rel === 'package.json' || /^dist\/(tf-[\w-]+\.node\.js|[\w-]+\.wasm)$/.test(rel) || rel.startsWith('wasm-out/'),
};

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/gpu-pack/prune.mjs <output tree directory>');
  process.exit(2);
}
const OUT = path.resolve(out);
if (existsSync(OUT) && readdirSync(OUT).length) {
  console.error(`prune: ${OUT} exists and is not empty`);
  process.exit(2);
}

const rel = (p) => path.relative(ROOT, p);
const isWorkspace = (real) => !rel(real).split(path.sep).includes('node_modules');
const copied = new Map(); // real dir -> { name, bytes, files }
const links = new Map(); // link path (relative) -> target (as stored)
const missing = [];
let totalBytes = 0;

function copyFile(src, dst) {
  mkdirSync(path.dirname(dst), { recursive: true });
  copyFileSync(src, dst);
  const b = statSync(src).size;
  totalBytes += b;
  return b;
}

/** Copies one file tree below `src` to `dst`, keeping what `keep(relPath)` accepts; nested node_modules are not copied. */
function copyTree(src, dst, keep, base = src) {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    const r = path.relative(base, s).split(path.sep).join('/');
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || DROP_DIR.test(e.name)) continue;
      const sub = copyTree(s, path.join(dst, e.name), keep, base);
      bytes += sub.bytes;
      files += sub.files;
    } else if (e.isFile()) {
      if (r !== 'package.json' && (DROP_FILE.test(r) || !keep(r))) continue;
      bytes += copyFile(s, path.join(dst, e.name));
      files++;
    } else if (e.isSymbolicLink() && e.name !== 'node_modules') {
      // a link inside a package (rare): keep it as a link
      const d = path.join(dst, e.name);
      mkdirSync(path.dirname(d), { recursive: true });
      symlinkSync(readlinkSync(s), d);
    }
  }
  return { bytes, files };
}

function copyPackage(real, pkg) {
  const dst = path.join(OUT, rel(real));
  let res;
  if (isWorkspace(real)) {
    // package.json plus what the package publishes (its `files`), or dist/ for a private app
    res = { bytes: copyFile(path.join(real, 'package.json'), path.join(dst, 'package.json')), files: 1 };
    for (const f of pkg.files ?? ['dist']) {
      const s = path.join(real, f);
      if (!existsSync(s)) continue;
      if (statSync(s).isDirectory()) {
        const sub = copyTree(s, path.join(dst, f), (r) => !/\.map$|\.d\.ts$|\.tsbuildinfo$|(^|\/)[^/]*\.test\.js$/.test(r));
        res.bytes += sub.bytes;
        res.files += sub.files;
      } else {
        res.bytes += copyFile(s, path.join(dst, f));
        res.files++;
      }
    }
  } else {
    res = copyTree(real, dst, PRUNE[pkg.name] ?? (() => true));
  }
  copied.set(real, { name: pkg.name, version: pkg.version, path: rel(real), ...res });
}

/** Where Node finds `name` from a package directory: the first <dir>/node_modules/<name> going up. */
function locate(fromDir, name) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const cand = path.join(dir, 'node_modules', name);
    if (existsSync(cand)) return cand;
    if (dir === ROOT || path.dirname(dir) === dir) return null;
  }
}

/** Recreates the symlink chain from `p` (inside ROOT) to its real directory. */
function recordLinks(p) {
  let cur = p;
  for (let i = 0; i < 8; i++) {
    const st = lstatSync(cur);
    if (!st.isSymbolicLink()) return;
    const target = readlinkSync(cur);
    links.set(rel(cur), target);
    cur = path.resolve(path.dirname(cur), target);
  }
}

function visit(real) {
  if (copied.has(real)) return;
  const pkg = JSON.parse(readFileSync(path.join(real, 'package.json'), 'utf8'));
  copyPackage(real, pkg);
  const deps = { ...(pkg.peerDependencies ?? {}), ...(pkg.optionalDependencies ?? {}), ...(pkg.dependencies ?? {}) };
  for (const name of Object.keys(deps).sort()) {
    if (SKIP(name, pkg.name)) continue;
    const at = locate(real, name);
    if (!at) {
      // an optional or peer dependency that is not installed here: Node would not find it either
      if (!(pkg.optionalDependencies?.[name] || pkg.peerDependencies?.[name])) missing.push(`${name} (from ${pkg.name})`);
      continue;
    }
    if (path.relative(ROOT, at).startsWith('..')) throw new Error(`${name} resolves outside the repository: ${at}`);
    recordLinks(at);
    visit(realpathSync(at));
  }
}

for (const e of ENTRIES) visit(realpathSync(path.join(ROOT, e)));
for (const [link, target] of [...links].sort()) {
  const p = path.join(OUT, link);
  mkdirSync(path.dirname(p), { recursive: true });
  if (!existsSync(p)) symlinkSync(target, p);
}
// the root package.json (bench's repoRoot() is apps/bench/dist/../../..) and the uwnet course goldens when present
writeFileSync(path.join(OUT, 'package.json'), `${JSON.stringify({ name: 'convkit-gpu-pack', private: true, type: 'module' }, null, 1)}\n`);
const uwnet = path.resolve(ROOT, '..', 'shared', 'golden', 'uwnet');
let uwnetFiles = 0;
if (existsSync(path.join(uwnet, 'FORMAT.md'))) uwnetFiles = copyTree(uwnet, path.join(OUT, 'shared', 'golden', 'uwnet'), () => true).files;
if (missing.length) {
  console.error(`prune: required dependencies not installed: ${missing.join(', ')}`);
  process.exit(1);
}
const packages = [...copied.values()].sort((a, b) => b.bytes - a.bytes);
console.log(
  JSON.stringify(
    {
      tree: OUT,
      bytes: totalBytes,
      packages: packages.map((p) => ({ name: p.name, version: p.version, path: p.path, files: p.files, bytes: p.bytes })),
      links: links.size,
      uwnetGoldenFiles: uwnetFiles,
    },
    null,
    1,
  ),
);
