import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPOSITE_OPS, OP_NAMES, OPS } from '@convkit/core';
import { createBackend, CreateBackendError } from './create.js';
import { identifiers, renderPackage, tableLine } from './templates.js';

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
  it("one op file per kernel op of core's records, typed by core, all in the (commented) kernel table", () => {
    const files = renderPackage({
      name: 'demo',
      pkgName: '@convkit/backend-demo',
      ...identifiers('demo'),
      range: 'workspace:*',
      tsconfigBase: '../../tsconfig.base.json',
      versions: { typescript: '5.9.3', vitest: '4.1.12', typesNode: '^20.19.0' },
    });
    const opFiles = Object.keys(files).filter((f) => f.startsWith('src/ops/')).sort();
    expect(opFiles).toEqual(OP_NAMES.map((op) => `src/ops/${op}.ts`).sort());
    for (const op of OP_NAMES) {
      const f = files[`src/ops/${op}.ts`]!;
      expect(f).toContain(`export const ${op}: Kernel<DemoRuntime, '${op}'> = (rt) => {`);
      expect(f).toContain(`throw new NotImplementedError('${op}', rt.backendName)`);
      expect(f).toContain(OPS[op]!.summary);
      expect(files['src/kernels.ts']).toContain(`import { ${op} } from './ops/${op}.js';`);
      expect(files['src/kernels.ts']!.split('\n')).toContain(tableLine(op));
    }
    // the table starts empty: every line commented, so the capabilities are empty
    expect(files['src/kernels.ts']).toMatch(/export const demoKernels = \{\n(  \/\/ \w+,\n)+\} satisfies KernelTable<DemoRuntime>;/);
    expect(files['src/backend.ts']).toContain('kernels: demoKernels,');
    expect(files['src/backend.ts']).toContain('defineBackend({');
    expect(files['src/runtime.ts']).toContain('export class DemoRuntime implements BackendRuntime');
    for (const f of Object.values(files)) expect(f).not.toMatch(/const IMPLEMENTED|capabilities = new Set/);
    for (const op of [...OP_NAMES, ...Object.keys(COMPOSITE_OPS)]) expect(files['README.md']).toContain(`\`${op}\``);
    expect(files['src/conformance.test.ts']!.trim().split('\n')).toHaveLength(3);
    const pkg = JSON.parse(files['package.json']!);
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.dependencies['@convkit/core']).toBe('workspace:*');
    expect(pkg.license).toBe('MIT');
  });

  it('derives identifiers from dashed names', () => {
    expect(identifiers('wasm-simd')).toEqual({ className: 'WasmSimdBackend', runtimeClass: 'WasmSimdRuntime', camel: 'wasmSimd' });
    expect(identifiers('webgpu2')).toEqual({ className: 'Webgpu2Backend', runtimeClass: 'Webgpu2Runtime', camel: 'webgpu2' });
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

  it('storage works; no op is in the table, so every op raises NotImplementedError through core, and every stub throws it too', () => {
    const dist = (f: string) => JSON.stringify(pathToFileURL(join(dir, 'dist', f)).href);
    const script = `
      import { Registry, createContext, NotImplementedError, OP_NAMES } from '@convkit/core';
      import descriptor, { demoBeBackend, createDemoBeBackend } from ${dist('index.js')};
      import { DemoBeRuntime } from ${dist('runtime.js')};
      const out = { sameDescriptor: descriptor === demoBeBackend, ops: {}, stubs: {}, methods: [] };
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
        batchNorm2d: () => ctx.batchNorm2d(x, { training: true }),
        batchNorm2dBackward: () => ctx.batchNorm2dBackward(x, x),
        add: () => ctx.add(x, w),
        sub: () => ctx.sub(x, w),
        mul: () => ctx.mul(x, w),
        sumToShape: () => ctx.sumToShape(x, { shape: [3, 3] }),
        globalAvgPool2d: () => ctx.globalAvgPool2d(x),
        globalAvgPool2dBackward: () => ctx.globalAvgPool2dBackward(ctx.zeros([1, 1, 1, 1]), { inputShape: [1, 1, 3, 3] }),
        avgpool2d: () => ctx.avgpool2d(x, { kernel: 2 }),
        avgpool2dBackward: () => ctx.avgpool2dBackward(ctx.zeros([1, 1, 2, 2]), { kernel: 2, inputShape: [1, 1, 3, 3] }),
        softmax: () => ctx.softmax(logits),
        softmaxBackward: () => ctx.softmaxBackward(logits, logits),
        logSoftmax: () => ctx.logSoftmax(logits, { axis: 0 }),
        logSoftmaxBackward: () => ctx.logSoftmaxBackward(logits, logits),
      };
      const be = createDemoBeBackend();
      for (const op of OP_NAMES) {
        try { await calls[op](); out.ops[op] = 'ran'; }
        catch (e) { out.ops[op] = e instanceof NotImplementedError ? 'NotImplementedError: ' + e.message : 'other: ' + e; }
        if (typeof be[op] === 'function') out.methods.push(op);
        const stub = (await import(new URL('./ops/' + op + '.js', ${dist('index.js')}).href))[op];
        try { stub(new DemoBeRuntime()); out.stubs[op] = 'ran'; }
        catch (e) { out.stubs[op] = e instanceof NotImplementedError && e.op === op && e.backend === 'demo-be' ? 'NotImplementedError' : 'other: ' + e; }
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
    expect(out.capabilities).toEqual([]);
    expect(out.methods).toEqual([]);
    expect(out.read).toEqual([1, -2, 3, -4, 5, -6, 7, -8, 9]);
    expect(out.readSync).toEqual(out.read);
    expect(out.ints).toEqual([0, 2, 1]);
    expect(out.zeros).toEqual([0, 0, 0, 0]);
    expect(out.intZeros).toBe('Int32Array');
    expect(out.freed).toBe(1);
    expect(out.afterDispose).toBe(0);
    for (const op of OP_NAMES) {
      expect(out.ops[op], op).toBe(`NotImplementedError: ${op}: not implemented by backend 'demo-be' (see its capabilities)`);
      expect(out.stubs[op], op).toBe('NotImplementedError');
    }
  });

  it('a kernel whose signature disagrees with core is a compile error (Kernel<Runtime, op> / KernelTable)', () => {
    const bad = join(root, 'bad');
    createBackend({ name: 'bad', root, dir: bad, changeset: false });
    // relu's kernel takes (x, size: number); this one claims size is a string, and is put in the table
    writeFileSync(
      join(bad, 'src', 'ops', 'relu.ts'),
      `import type { DataId } from '@convkit/core';\nimport type { BadRuntime } from '../runtime.js';\nexport function relu(rt: BadRuntime, x: DataId, size: string): DataId {\n  return rt.f32(size.length);\n}\n`,
    );
    const kernels = join(bad, 'src', 'kernels.ts');
    writeFileSync(kernels, readFileSync(kernels, 'utf8').replace(tableLine('relu'), '  relu,'));
    const lint = spawnSync(process.execPath, [tscBin, '-p', 'tsconfig.json', '--noEmit'], { cwd: bad, encoding: 'utf8' });
    expect(lint.status).not.toBe(0);
    expect(lint.stdout).toMatch(/src\/kernels\.ts\(\d+,\d+\): error TS\d+:[\s\S]*relu/);
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
  it('each op is one kernel file plus one table line: relu, gemm, im2col and conv2d (im2col + gemm) pass conformance; the rest stay not implemented', () => {
    const root = fakeWorkspace();
    // the guide's backend is named 'mybe' (its files import MybeRuntime)
    const { dir } = createBackend({ name: 'mybe', root });
    const guide = readFileSync(join(repoRoot, 'CONTRIBUTING.md'), 'utf8');
    const blocks = [...guide.matchAll(/```ts file=(\S+)\n([\s\S]*?)```/g)].map((m) => ({ file: m[1]!, code: m[2]! }));
    expect(blocks.map((b) => b.file)).toEqual(['src/ops/relu.ts', 'src/ops/gemm.ts', 'src/ops/im2col.ts', 'src/ops/conv2d.ts']);
    const ops = blocks.map((b) => /^src\/ops\/(\w+)\.ts$/.exec(b.file)![1]!);
    const kernelsTs = join(dir, 'src', 'kernels.ts');
    const before = readFileSync(kernelsTs, 'utf8');
    let table = before;
    for (const [i, b] of blocks.entries()) {
      const op = ops[i]!;
      expect(OP_NAMES).toContain(op);
      writeFileSync(join(dir, b.file), b.code);
      // the guide's table line, as it shows it
      expect(guide).toContain(`${op},`);
      expect(table.split('\n')).toContain(tableLine(op));
      table = table.replace(tableLine(op), `  ${op},`);
    }
    writeFileSync(kernelsTs, table);
    // one table line per op, nothing else in the table file
    const changed = before.split('\n').filter((l, i) => l !== table.split('\n')[i]);
    expect(changed.sort()).toEqual(ops.map(tableLine).sort());
    const build = spawnSync(process.execPath, [tscBin, '-p', 'tsconfig.build.json'], { cwd: dir, encoding: 'utf8' });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);

    const r = node([conformanceCli, '.'], dir);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const rows = parseTable(r.stdout);
    // core composes conv1d from conv2d and dense/denseBackward from gemm (their records' kernels)
    const composed = Object.values(COMPOSITE_OPS)
      .filter((rec) => rec.kernels.every((k) => ops.includes(k)))
      .map((rec) => rec.name);
    expect(composed.sort()).toEqual(['conv1d', 'dense', 'denseBackward']);
    const passing = new Set([...ops, ...composed]);
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
