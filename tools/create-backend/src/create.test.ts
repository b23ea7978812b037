import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OP_NAMES } from '@convkit/core';
import { createBackend, CreateBackendError } from './create.js';
import { OP_SPECS } from './ops.js';
import { identifiers, renderPackage } from './templates.js';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = resolve(here, '..');
const repoRoot = resolve(pkgDir, '../..');
const require = createRequire(import.meta.url);
const tscBin = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const conformanceDir = join(repoRoot, 'packages', 'conformance');
const conformanceCli = join(conformanceDir, 'dist', 'cli.js');
const vitestBin = join(realpathSync(dirname(require.resolve('vitest/package.json'))), 'vitest.mjs');

interface Row {
  pass: number;
  fail: number;
  notImplemented: number;
  skipped: number;
}

/** The CLI's summary table: op, pass, fail, not implemented, skipped. */
function parseTable(stdout: string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const m of stdout.matchAll(/^(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/gm)) {
    if (m[1] === 'TOTAL') continue;
    rows.set(m[1]!, { pass: +m[2]!, fail: +m[3]!, notImplemented: +m[4]!, skipped: +m[5]! });
  }
  return rows;
}

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A throwaway copy of the workspace layout: root files, and node_modules linking the real packages. */
function fakeWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'create-backend-'));
  temps.push(root);
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - "packages/*"\n');
  copyFileSync(join(repoRoot, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
  mkdirSync(join(root, '.changeset'));
  const link = (name: string, target: string) => {
    const p = join(root, 'node_modules', name);
    mkdirSync(dirname(p), { recursive: true });
    symlinkSync(target, p, 'dir');
  };
  link('@convkit/core', join(repoRoot, 'packages', 'core'));
  link('@convkit/conformance', conformanceDir);
  link('@types/node', realpathSync(dirname(require.resolve('@types/node/package.json'))));
  link('vitest', realpathSync(dirname(require.resolve('vitest/package.json'))));
  return root;
}

/** The environment without what a parent npm/pnpm script sets (INIT_CWD would steer the CLI). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD') env[k] = v;
  return { ...env, FORCE_COLOR: '0', NO_COLOR: '1' };
}

function node(args: string[], cwd: string) {
  return spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 170_000, env: cleanEnv() });
}

describe('templates', () => {
  it('one op file per op of core, all wired into the backend class', () => {
    expect(OP_SPECS.map((s) => s.op).sort()).toEqual([...OP_NAMES].sort());
    const files = renderPackage({
      name: 'demo',
      pkgName: '@convkit/backend-demo',
      ...identifiers('demo'),
      range: 'workspace:*',
      tsconfigBase: '../../tsconfig.base.json',
      versions: { typescript: '5.9.3', vitest: '4.1.12', typesNode: '^20.19.0' },
    });
    for (const s of OP_SPECS) {
      expect(files[`src/ops/${s.file}.ts`]).toContain(`throw new NotImplementedError('${s.op}', s.backendName)`);
      expect(files['src/backend.ts']).toContain(`import { ${s.op} } from './ops/${s.file}.js';`);
      expect(files['src/backend.ts']).toMatch(new RegExp(`\\n  ${s.op}\\(`));
    }
    expect(files['src/backend.ts']).toContain('export const IMPLEMENTED: readonly OpName[] = [];');
    expect(files['src/conformance.test.ts']!.trim().split('\n')).toHaveLength(3);
    const pkg = JSON.parse(files['package.json']!);
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.dependencies['@convkit/core']).toBe('workspace:*');
    expect(pkg.license).toBe('MIT');
  });

  it('derives identifiers from dashed names', () => {
    expect(identifiers('wasm-simd')).toEqual({ className: 'WasmSimdBackend', camel: 'wasmSimd' });
    expect(identifiers('webgpu2')).toEqual({ className: 'Webgpu2Backend', camel: 'webgpu2' });
  });

  it('rejects bad names and non-empty targets', () => {
    const root = fakeWorkspace();
    for (const bad of ['', 'Foo', '1x', 'a_b', 'a--b', '-a', 'a-', '../x']) {
      expect(() => createBackend({ name: bad, root }), bad).toThrow(CreateBackendError);
    }
    createBackend({ name: 'once', root });
    expect(() => createBackend({ name: 'once', root })).toThrow(/exists and is not empty/);
    expect(() => createBackend({ name: 'once', root, force: true })).not.toThrow();
    expect(() => createBackend({ name: 'x', cwd: tmpdir() })).toThrow(/no pnpm-workspace\.yaml/);
  });
});

describe('a scaffolded backend, built', () => {
  let root: string;
  let dir: string;
  beforeAll(() => {
    root = fakeWorkspace();
    // through the CLI, as `pnpm create-backend demo-be` runs it (the cwd is inside the workspace)
    const cli = node([join(pkgDir, 'dist', 'cli.js'), 'demo-be'], root);
    expect(cli.status, cli.stderr).toBe(0);
    dir = join(root, 'packages', 'backend-demo-be');
    const build = spawnSync(process.execPath, [tscBin, '-p', 'tsconfig.build.json'], { cwd: dir, encoding: 'utf8' });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
  });

  it('writes the package, its changeset, and compiles (tsc --noEmit over src and the test too)', () => {
    expect(existsSync(join(dir, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(dir, 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(dir, 'dist', 'conformance.test.js'))).toBe(false);
    expect(readFileSync(join(root, '.changeset', 'backend-demo-be-initial.md'), 'utf8')).toMatch(/"@convkit\/backend-demo-be": minor/);
    const lint = spawnSync(process.execPath, [tscBin, '-p', 'tsconfig.json', '--noEmit'], { cwd: dir, encoding: 'utf8' });
    expect(lint.status, `${lint.stdout}\n${lint.stderr}`).toBe(0);
  });

  it('storage works, every op is present and raises NotImplementedError, through core and directly', () => {
    const script = `
      import { Registry, createContext, NotImplementedError, OP_NAMES } from '@convkit/core';
      import descriptor, { demoBeBackend, DemoBeBackend, IMPLEMENTED } from ${JSON.stringify(pathToFileURL(join(dir, 'dist', 'index.js')).href)};
      const out = { sameDescriptor: descriptor === demoBeBackend, implemented: IMPLEMENTED.length, ops: {}, direct: {} };
      const ctx = await createContext({ backend: 'demo-be', registry: new Registry().register(demoBeBackend) });
      out.backend = ctx.backendName;
      out.capabilities = [...ctx.backend.capabilities];
      const x = ctx.tensor([1, -2, 3, -4, 5, -6, 7, -8, 9], [1, 1, 3, 3]);
      const ints = ctx.tensor(new Int32Array([0, 2, 1]), [3]);
      out.read = Array.from(await x.read());
      out.readSync = Array.from(x.readSync());
      out.ints = Array.from(await ints.read());
      out.zeros = Array.from(await ctx.zeros([2, 2]).read());
      out.intZeros = (await ctx.zeros([2], 'int32').read()).constructor.name;
      const w = ctx.tensor(new Array(9).fill(1), [1, 1, 3, 3]);
      const m = ctx.tensor([1, 2, 3, 4, 5, 6], [3, 2]);
      const logits = ctx.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]);
      const calls = {
        gemm: () => ctx.gemm(m, m, { transB: true }),
        im2col: () => ctx.im2col(x, { kernel: 2 }),
        col2im: () => ctx.col2im(ctx.zeros([1, 4, 9]), { kernel: 2, inputShape: [1, 1, 3, 3] }),
        conv2d: () => ctx.conv2d(x, w),
        conv2dBackward: () => ctx.conv2dBackward(x, w, x),
        maxpool2d: () => ctx.maxpool2d(x, { kernel: 2 }),
        maxpool2dBackward: () => ctx.maxpool2dBackward(ctx.zeros([1, 1, 2, 2]), ctx.zeros([1, 1, 2, 2], 'int32'), { kernel: 2, inputShape: [1, 1, 3, 3] }),
        sgd: () => ctx.sgd(ctx.zeros([3]), ctx.zeros([3]), ctx.zeros([3]), { lr: 0.1 }),
        relu: () => ctx.relu(x),
        reluBackward: () => ctx.reluBackward(x, x),
        softmaxCrossEntropy: () => ctx.softmaxCrossEntropy(logits, ints),
        softmaxCrossEntropyBackward: () => ctx.softmaxCrossEntropyBackward(logits, ints),
      };
      for (const op of OP_NAMES) {
        try { await calls[op](); out.ops[op] = 'ran'; }
        catch (e) { out.ops[op] = e instanceof NotImplementedError ? 'NotImplementedError: ' + e.message : 'other: ' + e; }
        const be = new DemoBeBackend();
        try { be[op](); out.direct[op] = 'ran'; }
        catch (e) { out.direct[op] = e instanceof NotImplementedError && e.op === op && e.backend === 'demo-be' ? 'NotImplementedError' : 'other: ' + e; }
      }
      const before = ctx.memory().backend.dataIds;
      x.dispose();
      out.freed = before - ctx.memory().backend.dataIds;
      await ctx.dispose();
      out.afterDispose = ctx.backend.memory().dataIds;
      console.log(JSON.stringify(out));
    `;
    writeFileSync(join(dir, 'probe.mjs'), script);
    const r = node(['probe.mjs'], dir);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.sameDescriptor).toBe(true);
    expect(out.backend).toBe('demo-be');
    expect(out.implemented).toBe(0);
    expect(out.capabilities).toEqual([]);
    expect(out.read).toEqual([1, -2, 3, -4, 5, -6, 7, -8, 9]);
    expect(out.readSync).toEqual(out.read);
    expect(out.ints).toEqual([0, 2, 1]);
    expect(out.zeros).toEqual([0, 0, 0, 0]);
    expect(out.intZeros).toBe('Int32Array');
    expect(out.freed).toBe(1);
    expect(out.afterDispose).toBe(0);
    for (const op of OP_NAMES) {
      expect(out.ops[op], op).toBe(`NotImplementedError: ${op}: not implemented by backend 'demo-be' (see its capabilities)`);
      expect(out.direct[op], op).toBe('NotImplementedError');
    }
  });

  it('the conformance CLI reports every op as not implemented (no failure, no crash)', () => {
    // through the package's `conformance` script (scripts/conformance.mjs -> the CLI on ./dist/index.js)
    const r = node(['scripts/conformance.mjs'], dir);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain("backend 'demo-be' (engine js) from ./dist/index.js");
    const rows = parseTable(r.stdout);
    for (const op of OP_NAMES) expect(rows.has(op), `${op} row in\n${r.stdout}`).toBe(true);
    for (const [op, row] of rows) {
      expect(row.pass, op).toBe(0);
      expect(row.fail, op).toBe(0);
      expect(row.notImplemented, op).toBeGreaterThan(0);
    }
  });

  it("the package's own three-line vitest conformance test runs (every case skipped as not implemented)", () => {
    const r = node([vitestBin, 'run'], dir);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+\d+ skipped \(\d+\)/);
    expect(r.stdout).not.toMatch(/failed/);
  });
});

describe("CONTRIBUTING.md's walkthrough, applied to a fresh scaffold", () => {
  it('relu, gemm, im2col and conv2d (im2col + gemm) pass conformance; the rest stay not implemented', () => {
    const root = fakeWorkspace();
    const { dir } = createBackend({ name: 'guide', root });
    const guide = readFileSync(join(repoRoot, 'CONTRIBUTING.md'), 'utf8');
    const blocks = [...guide.matchAll(/```ts file=(\S+)\n([\s\S]*?)```/g)].map((m) => ({ file: m[1]!, code: m[2]! }));
    expect(blocks.map((b) => b.file)).toEqual(['src/ops/relu.ts', 'src/ops/gemm.ts', 'src/ops/im2col.ts', 'src/ops/conv2d.ts']);
    for (const b of blocks) writeFileSync(join(dir, b.file), b.code);
    const ops = blocks.map((b) => OP_SPECS.find((s) => `src/ops/${s.file}.ts` === b.file)!.op);
    const backendTs = join(dir, 'src', 'backend.ts');
    const before = readFileSync(backendTs, 'utf8');
    const line = 'export const IMPLEMENTED: readonly OpName[] = [];';
    expect(before).toContain(line);
    writeFileSync(backendTs, before.replace(line, `export const IMPLEMENTED: readonly OpName[] = [${ops.map((o) => `'${o}'`).join(', ')}];`));
    const build = spawnSync(process.execPath, [tscBin, '-p', 'tsconfig.build.json'], { cwd: dir, encoding: 'utf8' });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);

    const r = node([conformanceCli, '.'], dir);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const rows = parseTable(r.stdout);
    // core composes conv1d from conv2d and dense/denseBackward from gemm
    const passing = new Set([...ops, 'conv1d', 'dense', 'denseBackward']);
    for (const [op, row] of rows) {
      expect(row.fail, `${op}\n${r.stdout}`).toBe(0);
      if (passing.has(op)) {
        expect(row.pass, op).toBeGreaterThan(0);
        expect(row.notImplemented, op).toBe(0);
      } else {
        expect(row.pass, op).toBe(0);
        expect(row.notImplemented, op).toBeGreaterThan(0);
      }
    }
    for (const op of passing) expect(rows.has(op), op).toBe(true);
  });
});
