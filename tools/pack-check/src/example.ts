import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { childEnv, copyProject, run, runAll, runtimeClosure, relativeSpec, type Packed } from './pack.js';

export interface ExampleResult {
  /** the temp copy of the example */
  dir: string;
  /** tarballs npm installed into it */
  tarballs: string[];
  /** exit status and output of the example's `npm run conformance` */
  status: number | null;
  output: string;
  /** whether the uwnet course goldens were reachable (CONVKIT_SHARED set or inherited) */
  uwnet: boolean;
}

/**
 * Copies examples/third-party-backend (outside the pnpm workspace) to `dest`, installs the packed
 * @convkit/core and @convkit/conformance tarballs (and the workspace packages they need) into it
 * with npm, its other dev dependencies (typescript, @types/node) from the registry, builds it with
 * tsc and runs its `npm run conformance` (the convkit-conformance CLI on its dist/).
 */
export function runExample(root: string, packed: readonly Packed[], dest: string, log: (l: string) => void = () => {}): ExampleResult {
  const src = join(root, 'examples', 'third-party-backend');
  if (!existsSync(join(src, 'package.json'))) throw new Error(`${src} has no package.json`);
  copyProject(src, dest);
  const manifest = JSON.parse(readFileSync(join(dest, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const ours = new Set(packed.map((p) => p.pkg.name));
  const wanted = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter((d) => ours.has(d));
  const names = runtimeClosure(wanted, packed);
  const tarballs = names.map((n) => packed.find((p) => p.pkg.name === n)!.tarball);
  log(`example: npm install ${names.join(', ')} from tarballs (+ its registry dev dependencies)`);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.map((t) => relativeSpec(dest, t))], dest);
  log('example: npm run build');
  run('npm', ['run', 'build'], dest);
  // The uwnet course goldens live beside the repository (../shared); the temp copy cannot find them
  // by walking up, so point the conformance package at them (CONVKIT_SHARED) when they are there.
  const shared = resolve(root, '..', 'shared');
  const extra = !process.env.CONVKIT_SHARED && existsSync(join(shared, 'golden', 'uwnet')) ? { CONVKIT_SHARED: shared } : {};
  log(`example: npm run conformance${extra.CONVKIT_SHARED ? ` (CONVKIT_SHARED=${shared})` : ''}`);
  const r = runAll('npm', ['run', '--silent', 'conformance'], dest, childEnv(extra), 300_000);
  return {
    dir: dest,
    tarballs,
    status: r.status,
    output: `${r.stdout ?? ''}${r.stderr ?? ''}`,
    uwnet: !!(extra.CONVKIT_SHARED || process.env.CONVKIT_SHARED),
  };
}
