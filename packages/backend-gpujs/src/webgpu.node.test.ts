/**
 * WebGPU in Node (the optional `webgpu` package, Dawn): the probe starts a device and runs a
 * kernel, the adapter is reported (SwiftShader here: software, low priority), no navigator.gpu is
 * left behind, and ops match the float64 reference on engine 'webgpu'. Required when the test
 * script found SwiftShader's Vulkan ICD (CONVKIT_GPUJS_REQUIRE_WEBGPU=1); skipped loudly otherwise.
 * The `gpu` option and the onuncapturederror fix-up: webgpu-gpu-option.node.test.ts (own process).
 */
import { describe, expect, it } from 'vitest';
import { Registry, createContext } from '@convkit/core';
import { refConv2d } from '@convkit/reference';
import { createGpujsBackend, SOFTWARE_PRIORITY, GPU_PRIORITY, gpujsBackend, register } from './index.js';
import { probeMode } from './platform.js';
import { expectTestAdapter, onSwiftShader, reportWebgpu, webgpu } from './testing/webgpu-env.js';

reportWebgpu('backend-gpujs webgpu');

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  });
}

describe.skipIf(!webgpu.available)('gpujs webgpu in Node', () => {
  it('the probe ran a kernel on a real adapter and reports it; the result is cached per process', async () => {
    expect(webgpu.reason).toMatch(/a probe kernel ran/);
    expectTestAdapter(webgpu.adapter);
    expect(webgpu.adapter!.source).toBe('webgpu-package');
    expect(webgpu.software).toBe(webgpu.adapter!.software);
    expect(await probeMode('webgpu')).toBe(webgpu);
  });

  it('leaves no navigator / navigator.gpu behind, and restores a navigator that was there', async () => {
    expect('navigator' in globalThis && (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeFalsy();
    const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    const mine = { userAgent: 'test' };
    Object.defineProperty(globalThis, 'navigator', { configurable: true, writable: true, value: mine });
    try {
      const be = await createGpujsBackend({ mode: 'webgpu' });
      expect((globalThis as { navigator?: unknown }).navigator).toBe(mine);
      expect(Object.prototype.hasOwnProperty.call(mine, 'gpu')).toBe(false);
      await be.dispose();
    } finally {
      if (had) Object.defineProperty(globalThis, 'navigator', had);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
    const be = await createGpujsBackend({ mode: 'webgpu' });
    expect(Object.getOwnPropertyDescriptor(globalThis, 'navigator')).toEqual(had);
    await be.dispose();
  });

  it("runs ops on engine 'webgpu' against the float64 reference and reports the adapter", async () => {
    const be = await createGpujsBackend({ mode: 'webgpu' });
    expect(be.engine).toBe('webgpu');
    expectTestAdapter(be.adapter);
    expect(be.readSync).toBeUndefined(); // mapAsync only: the backend has no synchronous read
    expect(be.renderer.software).toBe(be.adapter!.software);
    expect(be.renderer.renderer).toMatch(onSwiftShader ? /swiftshader/i : /./);
    const ctx = await createContext({ backend: 'mine', registry: new Registry().register({ name: 'mine', priority: 1, probe: () => true, create: () => be }) });
    const xd = rand(2 * 3 * 7 * 7, 3), wd = rand(5 * 3 * 3 * 3, 4), bd = rand(5, 5);
    const x = ctx.tensor(xd, [2, 3, 7, 7]), w = ctx.tensor(wd, [5, 3, 3, 3]), b = ctx.tensor(bd, [5]);
    const y = await ctx.conv2d(x, w, { bias: b, padding: 1, stride: 2 });
    expect(ctx.lastRun?.engine).toBe('webgpu');
    const ref = refConv2d({ data: xd, shape: [2, 3, 7, 7] }, { data: wd, shape: [5, 3, 3, 3] }, { data: bd, shape: [5] }, { padding: 1, stride: 2 });
    expect(y.shape).toEqual(ref.shape);
    const got = await y.read();
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - ref.data[i]!), `y[${i}]`).toBeLessThan(1e-4);
    expect(() => y.readSync()).toThrow(/cannot read synchronously/);
    await ctx.dispose();
  });

  it("a software adapter gets the software priority and names itself in the registry's reason", async () => {
    const p = await gpujsBackend.probe();
    const probe = typeof p === 'boolean' ? { available: p, reason: '', priority: undefined } : p;
    expect(probe.available).toBe(true);
    if (webgpu.software) {
      expect(probe.priority).toBe(SOFTWARE_PRIORITY);
      expect(probe.reason).toMatch(/software/);
    } else {
      expect(probe.priority).toBe(GPU_PRIORITY);
      expect(probe.reason).toMatch(/^webgpu/);
    }
    const reg = register(new Registry());
    const r = (await reg.probeAll()).find((x) => x.name === 'gpujs')!;
    expect(r.priority).toBe(probe.priority);
    expect(gpujsBackend.name).toBe('gpujs');
  });

  it('a webgpu backend created through the registry reports the same adapter', async () => {
    const ctx = await createContext({ backend: 'gpujs', registry: register(new Registry()), backendOptions: { mode: 'webgpu' } });
    expect(ctx.engine).toBe('webgpu');
    const t = ctx.tensor([1, -2, 3, -4], [4]);
    const r = await ctx.relu(t);
    expect(Array.from(await r.read())).toEqual([1, 0, 3, 0]);
    await ctx.dispose();
  });
});
