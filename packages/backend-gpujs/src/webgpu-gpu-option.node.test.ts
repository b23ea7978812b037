/**
 * The `gpu` option (a user's navigator.gpu-like object) and the binding fix-up, in a process of
 * their own (gpu.js holds one WebGPU device per process): a throwing `onuncapturederror` setter
 * (webgpu@0.2.x's Dawn binding) breaks gpu.js's own acquisition and not ours; a hardware adapter
 * gets GPU_PRIORITY so 'auto' picks gpujs:webgpu; a second GPU object while a device is held is an
 * error, not silently ignored. Uses the real Dawn GPU of the `webgpu` package underneath.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Registry, createContext } from '@convkit/core';
import { createGpujsBackend, GPU_PRIORITY, register, type GpujsBackend, type GpuLike } from './index.js';
import { WebGPUContext } from './gpujs.js';
import { loadWebgpuPackage, wrapGpu } from './webgpu-node.js';
import { reportWebgpu, webgpu } from './testing/webgpu-env.js';

reportWebgpu('backend-gpujs gpu option');
const real = (await loadWebgpuPackage()).gpu;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** A GPU object whose devices throw on `device.onuncapturederror = ...`, like webgpu@0.2.9's binding. */
function throwingSetterGpu(log: string[]): GpuLike {
  return {
    async requestAdapter(o?: Any) {
      const a = await real!.requestAdapter(o);
      const rd = a.requestDevice;
      Object.defineProperty(a, 'requestDevice', {
        configurable: true,
        value: async (d?: Any) => {
          const dev = await rd.call(a, d);
          const add = dev.addEventListener;
          Object.defineProperty(dev, 'addEventListener', {
            configurable: true,
            value: (type: string, fn: Any) => {
              log.push(type);
              return add.call(dev, type, fn);
            },
          });
          Object.defineProperty(dev, 'onuncapturederror', {
            configurable: true,
            get: () => null,
            set: () => {
              throw new TypeError('object is not of the correct interface type');
            },
          });
          return dev;
        },
      });
      return a;
    },
  };
}

/** A GPU object whose adapter says it is an NVIDIA H200 (the real adapter underneath computes). */
function hardwareLookingGpu(): GpuLike {
  return {
    async requestAdapter(o?: Any) {
      const a = await real!.requestAdapter(o);
      Object.defineProperty(a, 'info', {
        configurable: true,
        value: { vendor: 'nvidia', architecture: 'hopper', device: '0x2335', description: 'NVIDIA H200', isFallbackAdapter: false },
      });
      Object.defineProperty(a, 'isFallbackAdapter', { configurable: true, value: false });
      return a;
    },
  };
}

async function dropSharedDevice() {
  await WebGPUContext.destroy();
}

describe('wrapGpu (no device needed)', () => {
  it("routes the device's onuncapturederror setter to addEventListener", async () => {
    const calls: [string, string, unknown][] = [];
    class Dev {
      set onuncapturederror(_f: unknown) {
        throw new TypeError('object is not of the correct interface type');
      }
      addEventListener(t: string, f: unknown) {
        calls.push(['add', t, f]);
      }
      removeEventListener(t: string, f: unknown) {
        calls.push(['remove', t, f]);
      }
    }
    const dev = new Dev() as Any;
    const gpu = wrapGpu({ requestAdapter: async () => ({ requestDevice: async () => dev }) });
    expect(wrapGpu({ requestAdapter: async () => null })).not.toBe(gpu);
    const got = await (await gpu.requestAdapter()).requestDevice();
    const f1 = () => 1, f2 = () => 2;
    got.onuncapturederror = f1;
    got.onuncapturederror = f2;
    expect(got.onuncapturederror).toBe(f2);
    expect(calls).toEqual([['add', 'uncapturederror', f1], ['remove', 'uncapturederror', f1], ['add', 'uncapturederror', f2]]);
    expect(() => { new Dev().onuncapturederror = f1; }).toThrow(/correct interface type/);
  });
});

describe.skipIf(!webgpu.available || !real)('the gpu option on real Dawn', () => {
  afterEach(dropSharedDevice);

  it("gpu.js's own acquisition fails on a binding with a throwing onuncapturederror setter; the backend's works", async () => {
    await dropSharedDevice();
    const log: string[] = [];
    const gpu = throwingSetterGpu(log);
    // the control: gpu.js alone, with the global it reads
    const g = globalThis as Any;
    const had = Object.getOwnPropertyDescriptor(g, 'navigator');
    Object.defineProperty(g, 'navigator', { configurable: true, writable: true, value: { gpu } });
    try {
      await expect(WebGPUContext.acquire()).rejects.toThrow(/correct interface type/);
    } finally {
      if (had) Object.defineProperty(g, 'navigator', had);
      else delete g.navigator;
    }
    const be = await createGpujsBackend({ mode: 'webgpu', gpu });
    expect(be.engine).toBe('webgpu');
    expect(be.adapter!.source).toBe('option');
    expect(log).toContain('uncapturederror');
    const ctx = await createContext({ backend: 'mine', registry: new Registry().register({ name: 'mine', priority: 1, probe: () => true, create: () => be }) });
    const t = ctx.tensor([2, -2, 0.5, -0.5], [4]);
    expect(Array.from(await (await ctx.relu(t)).read())).toEqual([2, 0, 0.5, 0]);
    expect((globalThis as Any).navigator).toBe(had?.value);
    await ctx.dispose();
  });

  it("a hardware adapter gets GPU_PRIORITY through the registry's documented way, and 'auto' picks gpujs:webgpu", async () => {
    await dropSharedDevice();
    const gpu = hardwareLookingGpu();
    const reg = register(new Registry(), { gpu });
    const p = (await reg.probeAll()).find((r) => r.name === 'gpujs')!;
    expect(p.priority).toBe(GPU_PRIORITY);
    expect(p.reason).toMatch(/^webgpu .*NVIDIA H200/);
    reg.register({ name: 'fake-workers', priority: 20, probe: () => true, create: () => { throw new Error('not picked'); } });
    const ctx = await createContext({ backend: 'auto', registry: reg });
    expect(ctx.backendName).toBe('gpujs');
    expect(ctx.engine).toBe('webgpu');
    const a = (ctx.backend as GpujsBackend).adapter!;
    expect(a).toMatchObject({ vendor: 'nvidia', description: 'NVIDIA H200', software: false, source: 'option' });
    await ctx.dispose();
  });

  it('a second GPU object while gpu.js holds a device is a clear error; without the option the held device is reused', async () => {
    await dropSharedDevice();
    const first = hardwareLookingGpu();
    const be = await createGpujsBackend({ mode: 'webgpu', gpu: first });
    await expect(createGpujsBackend({ mode: 'webgpu', gpu: hardwareLookingGpu() })).rejects.toThrow(/already holds .* another GPU object/);
    const again = await createGpujsBackend({ mode: 'webgpu', gpu: first });
    const plain = await createGpujsBackend({ mode: 'webgpu' });
    expect(plain.adapter).toMatchObject({ description: 'NVIDIA H200', source: 'option' });
    await expect(createGpujsBackend({ mode: 'webgpu', gpu: {} as never })).rejects.toThrow(/navigator.gpu-like object/);
    for (const b of [be, again, plain]) await b.dispose();
  });
});
