import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Registry, createContext, OP_NAMES } from '@convkit/core';
import { createJsBackend, jsBackend, jsKernels, register } from './index.js';
import * as kernels from './primitives/index.js';

describe('js backend: storage, memory, registry', () => {
  it('descriptor: name js, priority 10, probe true, creates the js backend (capabilities = the kernel table)', async () => {
    expect(jsBackend.name).toBe('js');
    expect(jsBackend.priority).toBe(10);
    const pr = await jsBackend.probe();
    expect(typeof pr === 'boolean' ? pr : pr.available).toBe(true);
    const be = await jsBackend.create();
    expect(be.name).toBe('js');
    expect(be.engine).toBe('js');
    expect(be.precision).toEqual({ atol: 1e-4, rtol: 1e-4 });
    expect([...be.capabilities].sort()).toEqual([...OP_NAMES].sort());
    expect([...be.capabilities].sort()).toEqual(Object.keys(jsKernels).sort());
    for (const op of OP_NAMES) expect(typeof (be as unknown as Record<string, unknown>)[op], op).toBe('function');
  });

  it('register() adds it to a registry; auto picks it when alone', async () => {
    const reg = register(new Registry());
    expect(reg.names()).toEqual(['js']);
    const ctx = await createContext({ backend: 'auto', registry: reg });
    expect(ctx.engine).toBe('js');
  });

  it('write copies, read/readSync return copies, dtypes kept', async () => {
    const be = createJsBackend();
    const src = new Float32Array([1, 2, 3]);
    const id = be.write(src, 'float32');
    src[0] = 99;
    const a = be.readSync(id);
    expect(Array.from(a)).toEqual([1, 2, 3]);
    a[1] = 42;
    expect(Array.from(await be.read(id))).toEqual([1, 2, 3]);
    const ii = be.write(new Int32Array([5, -6]), 'int32');
    expect(be.readSync(ii)).toBeInstanceOf(Int32Array);
    const z = be.zeros(4, 'int32');
    expect(Array.from(be.readSync(z))).toEqual([0, 0, 0, 0]);
  });

  it('memory() counts live data ids and bytes; disposeData frees; dispose clears', async () => {
    const be = createJsBackend();
    expect(be.memory()).toMatchObject({ dataIds: 0, bytes: 0 });
    const a = be.write(new Float32Array(10), 'float32');
    const b = be.zeros(6, 'int32');
    expect(be.memory()).toMatchObject({ dataIds: 2, bytes: 64 });
    be.disposeData(a);
    be.disposeData(a); // idempotent
    expect(be.memory()).toMatchObject({ dataIds: 1, bytes: 24 });
    expect(() => be.readSync(a)).toThrow(/disposed/);
    be.dispose();
    expect(be.memory()).toMatchObject({ dataIds: 0, bytes: 0 });
    expect(() => be.readSync(b)).toThrow();
  });

  it('ops through a Context leave no leaked data ids after dispose', async () => {
    const ctx = await createContext({ backend: 'js', registry: register(new Registry()) });
    const x = ctx.tensor(new Float32Array(2 * 3 * 4 * 4).fill(1), [2, 3, 4, 4]);
    const w = ctx.tensor(new Float32Array(5 * 3 * 9).fill(0.5), [5, 3, 3, 3]);
    const y = await ctx.conv2d(x, w);
    const g = await ctx.conv2dBackward(x, w, y);
    const before = ctx.memory().backend.dataIds;
    expect(before).toBe(6);
    y.dispose();
    g.dx!.dispose();
    g.dw!.dispose();
    g.db!.dispose();
    expect(ctx.memory().backend.dataIds).toBe(2);
  });

  it('recycles freed large arrays: zeros() and outputs never see old contents; memory() stays exact', async () => {
    const ctx = await createContext({ backend: 'js', registry: register(new Registry()) });
    const n = 1 << 15; // 128 KiB of float32: pooled
    const junk = ctx.tensor(new Float32Array(n).fill(NaN), [n]);
    const junkI = ctx.tensor(new Int32Array(n).fill(-5), [n]);
    junk.dispose();
    junkI.dispose();
    const mem = ctx.memory().backend;
    expect(mem.dataIds).toBe(0);
    expect(mem.bytes).toBe(0);
    expect(mem.pooledBytes).toBe(2 * 4 * n);
    const z = ctx.zeros([n]);
    expect((await z.read()).every((v) => v === 0)).toBe(true);
    const zi = ctx.zeros([n], 'int32');
    expect(zi.readSync()).toBeInstanceOf(Int32Array);
    expect((await zi.read()).every((v) => v === 0)).toBe(true);
    expect(ctx.memory().backend.pooledBytes).toBe(0);
    // an op output on a recycled array: maxpool backward accumulates into it
    z.dispose();
    const x = ctx.tensor(Float32Array.from({ length: n }, (_, i) => (i * 7919) % 101), [1, 2, 128, 128]);
    const { y, indices } = await ctx.maxpool2d(x, { kernel: 2 });
    const dx = await ctx.maxpool2dBackward(ctx.tensor(new Float32Array(y.size).fill(1), y.shape), indices, { kernel: 2, inputShape: [1, 2, 128, 128] });
    const dv = (await dx.read()) as Float32Array;
    expect(dv.reduce((a, b) => a + b, 0)).toBe(y.size);
    expect(dv.every((v) => v === 0 || v === 1)).toBe(true);
    // the pool is bounded
    // the pool is bounded: 40 distinct sizes of ~2 MiB would be 80 MiB
    for (let i = 0; i < 40; i++) ctx.tensor(new Float32Array((1 << 19) + 1024 * i), [(1 << 19) + 1024 * i]).dispose();
    const pooled = ctx.memory().backend.pooledBytes!;
    expect(pooled).toBeGreaterThan(32 * 1024 * 1024);
    expect(pooled).toBeLessThanOrEqual(64 * 1024 * 1024);
    await ctx.dispose();
  });

  it('the kernels entry (./kernels subpath: src/primitives) imports nothing at runtime but the dependency-free core geometry (safe in a browser Web Worker)', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { exports: Record<string, { default: string }> };
    expect(pkg.exports['./kernels']!.default).toBe('./dist/primitives/index.js');
    const dir = fileURLToPath(new URL('./primitives/', import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const src = readFileSync(dir + f, 'utf8');
      for (const m of src.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)) {
        expect(m[1]!.startsWith('./') || m[1] === '@convkit/core/geometry', `${f} imports ${m[1]} at runtime`).toBe(true);
      }
      expect(src).not.toMatch(/\bprocess\.|\brequire\(|from 'node:/);
    }
    // core's geometry entry itself imports nothing
    const geometry = readFileSync(fileURLToPath(new URL('../../core/src/geometry.ts', import.meta.url)), 'utf8');
    expect(geometry).not.toMatch(/^\s*import\s/m);
    expect(typeof kernels.gemm).toBe('function');
  });
});
