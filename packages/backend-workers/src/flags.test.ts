/**
 * The backend under common Node flags. V8 and per-process options (--max-old-space-size,
 * --expose-gc, --stack-size, --title, --max-semi-space-size) are not valid in a Worker's execArgv:
 * passing the parent's flags explicitly made every op reject with "Initiated Worker with invalid
 * execArgv flags" while the probe said available. Each case runs a child `node <flags> script`
 * that probes the backend, lets 'auto' pick it and runs real ops on 2 workers; the numbers are
 * checked here against @convkit/reference.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compare, describeMismatch, refConv2d, refGemm, refMaxpool2d } from '@convkit/reference';
import { workerExecArgv } from '../dist/pool.js';
import { rand, TOL } from './testing/helpers.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const script = fileURLToPath(new URL('./testing/flags-child.mjs', import.meta.url));

const XS = [2, 3, 9, 9];
const WS = [4, 3, 3, 3];
const AS = [17, 33];
const BS = [33, 9];
const size = (s: number[]) => s.reduce((p, q) => p * q, 1);
const x = rand(size(XS), 101);
const w = rand(size(WS), 102);
const a = rand(size(AS), 103);
const b = rand(size(BS), 104);
const input = JSON.stringify({ x: [...x], xShape: XS, w: [...w], wShape: WS, a: [...a], aShape: AS, b: [...b], bShape: BS });

interface ChildOut {
  execArgv: string[];
  probe?: { available: boolean; reason?: string; priority?: number };
  backend?: string;
  engine?: string;
  spawned?: number;
  tasks?: number;
  conv?: { shape: number[]; values: number[] };
  gemm?: { shape: number[]; values: number[] };
  pool?: { shape: number[]; values: number[]; indices: number[] };
  error?: string;
}

function runChild(args: string[], nodeOptions?: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: pkgDir,
      env: { ...process.env, CONVKIT_FLAGS_INPUT: input, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    // a hang shows up as a kill (a run takes ~1 s)
    const t = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}

function expectNear(got: number[] | undefined, ref: { data: ArrayLike<number>; shape: readonly number[] }, what: string): void {
  expect(got, what).toBeDefined();
  const r = compare(Float32Array.from(got!), ref.data, TOL);
  expect(r.ok, `${what}: ${describeMismatch(r, TOL)}`).toBe(true);
}

const refConv = refConv2d({ data: x, shape: XS }, { data: w, shape: WS }, null, { padding: 'same' });
const refMm = refGemm({ data: a, shape: AS }, { data: b, shape: BS });
const refPool = refMaxpool2d({ data: x, shape: XS }, { kernel: 2, stride: 2 });

const code = readFileSync(script, 'utf8');
const CASES: [string, string[], string?][] = [
  ['no flags', [script]],
  ['--max-old-space-size=4096', ['--max-old-space-size=4096', script]],
  ['--expose-gc', ['--expose-gc', script]],
  ['--stack-size=2000', ['--stack-size=2000', script]],
  ['--title=convkit-flags-test', ['--title=convkit-flags-test', script]],
  ['--max-semi-space-size=64', ['--max-semi-space-size=64', script]],
  ['all five at once', ['--max-old-space-size=4096', '--expose-gc', '--stack-size=2000', '--title=convkit-flags-test', '--max-semi-space-size=64', script]],
  // string input: Node's own inheritance breaks on --input-type, so the pool passes flags itself
  ['--input-type=module -e', ['--input-type=module', '-e', code]],
  ['--input-type=module --max-old-space-size=4096 --expose-gc -e', ['--input-type=module', '--max-old-space-size=4096', '--expose-gc', '-e', code]],
  // the same flags through NODE_OPTIONS (they are not in execArgv then)
  ['script, NODE_OPTIONS=--max-old-space-size=4096 --title=...', [script], '--max-old-space-size=4096 --title=convkit-flags-test'],
  ['--input-type=module -e, NODE_OPTIONS=--max-old-space-size=4096', ['--input-type=module', '-e', code], '--max-old-space-size=4096 --stack-trace-limit=50'],
];

describe('the workers backend under Node flags (child processes)', () => {
  it.each(CASES)('node %s: the probe starts a worker, auto picks workers, ops match float64', async (_name, args, nodeOptions) => {
    const r = await runChild(args, nodeOptions);
    expect(r.code, r.err).toBe(0);
    const o = JSON.parse(r.out.trim().split('\n').pop()!) as ChildOut;
    expect(o.error, o.error).toBeUndefined();
    for (const f of args.filter((s) => s.startsWith('--'))) expect(o.execArgv).toContain(f);
    expect(o.probe).toEqual({ available: true, reason: 'worker_threads+sab+wasm-simd', priority: expect.any(Number) });
    expect(o.backend).toBe('workers');
    expect(o.engine).toBe('worker_threads+sab+wasm-simd');
    expect(o.spawned).toBe(2); // both workers really ran tasks
    expect(o.tasks).toBeGreaterThanOrEqual(4);
    expect(o.conv?.shape).toEqual(refConv.shape);
    expectNear(o.conv?.values, refConv, 'conv2d');
    expect(o.gemm?.shape).toEqual(refMm.shape);
    expectNear(o.gemm?.values, refMm, 'gemm');
    expect(o.pool?.shape).toEqual(refPool.y.shape);
    expectNear(o.pool?.values, refPool.y, 'maxpool2d y');
    expect(o.pool?.indices).toEqual([...refPool.indices.data]);
  });
});

describe('workerExecArgv (the flags a worker is started with)', () => {
  it("leaves them to Node's own inheritance unless the parent runs string input", () => {
    expect(workerExecArgv([])).toBeUndefined();
    expect(workerExecArgv(['--max-old-space-size=4096', '--expose-gc', '--conditions=dev'])).toBeUndefined();
    expect(workerExecArgv(['-e', 'code'])).toBeUndefined();
  });

  it('with --input-type: the parent flags without the string input ones and without those a Worker rejected', () => {
    expect(workerExecArgv(['--input-type=module', '--conditions=dev', '-e', 'import "x"'])).toEqual(['--conditions=dev']);
    expect(workerExecArgv(['--input-type', 'module', '--eval=code', '--enable-source-maps', '-p', '1'])).toEqual(['--enable-source-maps']);
    expect(workerExecArgv(['--input-type=module', '--stack-size=2000', '--import=tsx'], new Set(['--stack-size=2000']))).toEqual(['--import=tsx']);
  });
});
