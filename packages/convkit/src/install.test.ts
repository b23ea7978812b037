/**
 * `npm i convkit` as a user without the optional gpujs backend (no gl, no webgpu): the workspace
 * packages are packed with `pnpm pack` (workspace: ranges become versions, as on publish), installed
 * with npm from the tarballs, offline, with an empty npm cache (so the optional
 * @convkit/backend-gpujs cannot be fetched, as on a machine where it fails to install), then a
 * script in that project runs ops through `convkit` with 'auto'. The numbers are checked here
 * against float64 loops; a strict TypeScript check of the consumer proves the published types
 * need no gpujs either.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '@convkit/reference';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const PACKED = ['@convkit/core', '@convkit/backend-js', '@convkit/backend-wasm', '@convkit/wasm-kernels', '@convkit/backend-workers', 'convkit'];

/** The caller's environment without what a parent pnpm/npm script injects into it. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_(package|lifecycle)_|npm_(execpath|node_execpath|command)$|npm_config_|pnpm_config_)/i.test(k)) continue;
    if (k === 'INIT_CWD' || k === 'PNPM_SCRIPT_SRC_DIR' || k === 'PNPM_PACKAGE_NAME') continue;
    env[k] = v;
  }
  return { ...env, NO_UPDATE_NOTIFIER: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

function sh(cmd: string, args: string[], cwd: string, env = childEnv()): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ').slice(0, 300)} (in ${cwd}) failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}):\n${r.stdout?.slice(-3000)}\n${r.stderr?.slice(-3000)}`);
  }
  return r.stdout;
}

// deterministic data (mulberry32, from @convkit/reference)
function rand(n: number, seed: number): number[] {
  const r = mulberry32(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.fround(r() * 2 - 1));
  return out;
}

const [N, C, H, W, K, R] = [2, 3, 11, 10, 4, 3];
const X = rand(N * C * H * W, 71);
const WT = rand(K * C * R * R, 72);
const B = rand(K, 73);
const [M, KK, NN] = [9, 21, 13];
const GA = rand(M * KK, 74);
const GB = rand(KK * NN, 75);

/** conv2d, stride 1, 'same' padding (1 each side for 3x3), bias, cross-correlation: float64 loops. */
function conv64(): number[] {
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          let s = B[k]!;
          for (let c = 0; c < C; c++)
            for (let i = 0; i < R; i++)
              for (let j = 0; j < R; j++) {
                const yy = y + i - 1;
                const xx = x + j - 1;
                if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
                s += X[((n * C + c) * H + yy) * W + xx]! * WT[((k * C + c) * R + i) * R + j]!;
              }
          out.push(s);
        }
  return out;
}

function gemm64(): number[] {
  const out: number[] = [];
  for (let i = 0; i < M; i++)
    for (let j = 0; j < NN; j++) {
      let s = 0;
      for (let p = 0; p < KK; p++) s += GA[i * KK + p]! * GB[p * NN + j]!;
      out.push(s);
    }
  return out;
}

function expectClose(got: number[], want: number[], what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  const bad = want.findIndex((w, i) => !(Math.abs(got[i]! - w) <= 1e-4 + 1e-4 * Math.abs(w)));
  expect(bad, bad < 0 ? '' : `${what}[${bad}] = ${got[bad]}, float64 ${want[bad]}`).toBe(-1);
}

const CONSUMER = `import { createContext, probeBackends, registerAll, registry, ValidationError } from 'convkit';
const d = JSON.parse(process.env.CONVKIT_INPUT);
const ctx = await createContext({ backend: 'auto' });
const x = ctx.tensor(d.x, [${N}, ${C}, ${H}, ${W}]);
const w = ctx.tensor(d.w, [${K}, ${C}, ${R}, ${R}]);
const b = ctx.tensor(d.b, [${K}]);
const y = await ctx.conv2d(x, w, { bias: b, padding: 'same' });
const g = await ctx.gemm(ctx.tensor(d.ga, [${M}, ${KK}]), ctx.tensor(d.gb, [${KK}, ${NN}]));
let explicitGpujs;
try { await createContext({ backend: 'gpujs' }); } catch (e) { explicitGpujs = e.name + ': ' + e.message; }
const out = {
  backend: ctx.backendName,
  engine: ctx.engine,
  selection: ctx.selection,
  installs: await registerAll(),
  status: await probeBackends(),
  registered: registry.names(),
  explicitGpujs,
  validationIsExported: typeof ValidationError === 'function',
  y: { shape: y.shape, values: Array.from(await y.read()) },
  g: { shape: g.shape, values: Array.from(await g.read()) },
};
await ctx.dispose();
console.log(JSON.stringify(out));
`;

// strict TypeScript against the installed .d.ts files: typed per backend, no gpujs types needed
const CONSUMER_TS = `import { createContext, registerAll, type BackendInstall, type Tensor } from 'convkit';
const installs: BackendInstall[] = await registerAll();
const ctx = await createContext({ backend: 'workers', backendOptions: { workers: 2 } });
const y: Tensor = await ctx.relu(ctx.tensor([1, -2, 3, -4], [2, 2]));
console.log(installs.length, y.shape);
// @ts-expect-error: an unknown workers option is a type error
await createContext({ backend: 'workers', backendOptions: { wokers: 2 } });
`;

describe('npm i convkit (packed tarballs, offline, optional gpujs absent)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'convkit-install-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs without gpujs and runs ops with 'auto' that match float64 loops", () => {
    const tgz = join(dir, 'tgz');
    mkdirSync(tgz);
    sh('pnpm', ['-r', ...PACKED.flatMap((p) => ['--filter', p]), 'pack', '--pack-destination', tgz], root);
    const tarballs = readdirSync(tgz).filter((f) => f.endsWith('.tgz'));
    expect(tarballs.sort()).toEqual(
      ['convkit-0.1.0.tgz', 'convkit-backend-js-0.1.0.tgz', 'convkit-backend-wasm-0.1.0.tgz', 'convkit-backend-workers-0.1.0.tgz', 'convkit-core-0.1.0.tgz', 'convkit-wasm-kernels-0.1.0.tgz'],
    );
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'convkit-consumer', version: '0.0.0', private: true, type: 'module' }));
    // an empty cache and --offline: nothing can come from the registry, the optional gpujs included
    sh(
      'npm',
      ['install', '--offline', '--cache', join(dir, 'npm-cache'), '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...tarballs.map((t) => `../tgz/${t}`)],
      app,
    );
    expect(existsSync(join(app, 'node_modules/convkit/dist/index.js'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/@convkit/backend-gpujs'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/gpu.js'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/gl'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/webgpu'))).toBe(false);

    writeFileSync(join(app, 'run.mjs'), CONSUMER);
    const input = JSON.stringify({ x: X, w: WT, b: B, ga: GA, gb: GB });
    const o = JSON.parse(sh(process.execPath, ['run.mjs'], app, childEnv({ CONVKIT_INPUT: input })).trim().split('\n').pop()!);

    // every installed backend registered; gpujs skipped with the reason
    expect(o.registered.sort()).toEqual(['js', 'wasm', 'workers']);
    const gp = o.installs.find((i: { name: string }) => i.name === 'gpujs');
    expect(gp).toEqual({
      name: 'gpujs',
      package: '@convkit/backend-gpujs',
      optional: true,
      registered: false,
      reason: expect.stringMatching(/^@convkit\/backend-gpujs is not installed \(Cannot find package '@convkit\/backend-gpujs'/),
    });
    expect(o.explicitGpujs).toMatch(/^BackendUnavailableError: backend 'gpujs' is not available: @convkit\/backend-gpujs is not installed/);
    expect(o.status.map((s: { name: string; available: boolean }) => [s.name, s.available])).toEqual([
      ['workers', true],
      ['wasm', true],
      ['js', true],
      ['gpujs', false],
    ]);
    // 'auto' took the best that starts here (2 cores, shared memory, wasm SIMD) and says so
    expect(o.backend).toBe('workers');
    expect(o.engine).toBe('worker_threads+sab+wasm-simd');
    expect(o.selection).toMatchObject({ requested: 'auto', chosen: 'workers' });
    expect(o.validationIsExported).toBe(true);
    expect(o.y.shape).toEqual([N, K, H, W]);
    expectClose(o.y.values, conv64(), 'conv2d');
    expect(o.g.shape).toEqual([M, NN]);
    expectClose(o.g.values, gemm64(), 'gemm');

    // the published types compile in strict mode without gpujs (and refuse a misspelt option)
    writeFileSync(join(app, 'check.mts'), CONSUMER_TS);
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    sh(
      process.execPath,
      [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', join(root, 'node_modules/@types'), 'check.mts'],
      app,
    );
  }, 120_000);
});
