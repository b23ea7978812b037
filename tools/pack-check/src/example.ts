import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, copyProject, run, runAll, runtimeClosure, relativeSpec, type Packed } from './pack.js';

export interface ExampleResult {
  /** the temp copy of the example */
  dir: string;
  /** tarballs npm installed into it */
  tarballs: string[];
  /** exit status and output of the example's `npm run conformance` */
  status: number | null;
  output: string;
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
  log('example: npm run conformance');
  const r = runAll('npm', ['run', '--silent', 'conformance'], dest, childEnv(), 300_000);
  return { dir: dest, tarballs, status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}
