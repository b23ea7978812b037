import { describe, expect, it } from 'vitest';
import { Registry, createContext } from '@convkit/core';
import { refConv2d } from '@convkit/reference';
import { simdSupported, simdUnavailableReason } from '@convkit/wasm-kernels';
import { WASM_NATIVE_OPS, createWasmBackend, wasmBackend } from './backend.js';
import { expectClose, rand, rng, wasmContext } from './test/helpers.js';

describe('wasm backend', () => {
  it('reports wasm-simd where SIMD validates (Node 20 does)', async () => {
    expect(simdUnavailableReason()).toBeNull();
    const probe = await wasmBackend.probe();
    expect(probe).toMatchObject({ available: true });
    const be = createWasmBackend();
    expect(be.engine).toBe('wasm-simd');
    expect(be.name).toBe('wasm');
    expect([...be.capabilities].sort()).toEqual([...new Set([...WASM_NATIVE_OPS, 'sgd', 'relu', 'reluBackward', 'softmaxCrossEntropy', 'softmaxCrossEntropyBackward'])].sort());
    await be.dispose();
  });

  it('falls back to the js kernels with engine js and a reason, and still computes right', async () => {
    const be = createWasmBackend({ forceFallback: true });
    expect(be.engine).toBe('js');
    expect((be as { fallbackReason?: string }).fallbackReason).toMatch(/forced/);
    const ctx = await wasmContext({ forceFallback: true });
    expect(ctx.engine).toBe('js');
    const r = rng(5);
    const xv = rand(2 * 3 * 6 * 6, r);
    const wv = rand(4 * 3 * 3 * 3, r);
    const y = await ctx.conv2d(ctx.tensor(xv, [2, 3, 6, 6]), ctx.tensor(wv, [4, 3, 3, 3]));
    expectClose(await y.read(), refConv2d({ data: xv, shape: [2, 3, 6, 6] }, { data: wv, shape: [4, 3, 3, 3] }, null).data, 'y');
    await ctx.dispose();
    await be.dispose();
  });

  it('is picked automatically over js, and keeps no data ids after dispose', async () => {
    const registry = new Registry().register({ name: 'js', priority: 10, probe: () => true, create: () => { throw new Error('js must not be picked'); } }).register(wasmBackend);
    const ctx = await createContext({ registry });
    expect(ctx.engine).toBe(simdSupported() ? 'wasm-simd' : 'js');
    const t = ctx.tensor(new Float32Array([1, -2, 3]), [3]);
    expect(Array.from(await (await ctx.relu(t)).read())).toEqual([1, 0, 3]);
    await ctx.dispose();
  });

  it('survives memory growth between ops (views taken after allocation)', async () => {
    const ctx = await wasmContext();
    const r = rng(9);
    const small = ctx.tensor(rand(16, r), [1, 1, 4, 4]);
    const w = ctx.tensor(rand(9, r), [1, 1, 3, 3]);
    const before = await ctx.conv2d(small, w);
    // a tensor big enough to force memory.grow (32 MiB)
    const big = ctx.zeros([8 * 1024 * 1024]);
    const after = await ctx.conv2d(small, w);
    expect(Array.from(await after.read())).toEqual(Array.from(await before.read()));
    expect(ctx.memory().backend.wasmMemoryBytes).toBeGreaterThan(32 * 1024 * 1024);
    big.dispose();
    await ctx.dispose();
  });
});
