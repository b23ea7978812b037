/**
 * Backend behaviour beyond the op arithmetic, in Node: the engine that ran, device residency
 * (no readback inside a conv / training step), flat texture and buffer counts over repeated ops,
 * the CPU-fallback policy, lost contexts, the probe's priorities, and limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, createContext, type Context, type BackendDescriptor } from '@convkit/core';
import { refConv2d } from '@convkit/reference';
import { createGpujsBackend, register, gpujsBackend, SOFTWARE_PRIORITY, GpuContextLostError } from './index.js';
import { Engine, CpuFallbackError } from './engine.js';
import { classifyGlDriver, clearProbeCache, probeMode } from './platform.js';
import { expectTestAdapter, reportWebgpu, webgpu } from './testing/webgpu-env.js';

const headless = await probeMode('headlessgl');
if (!headless.available) console.warn(`\n[backend-gpujs] !!! headlessgl tests SKIPPED: ${headless.reason}\n`);
// the test wrapper started Xvfb: then headless-gl must work, and its absence is a failure, not a skip
if (!headless.available && process.env.CONVKIT_GPUJS_REQUIRE_HEADLESSGL === '1') {
  describe('headlessgl under xvfb-run', () => {
    it('can create a headless-gl context', () => {
      throw new Error(`headless-gl is unavailable although the test wrapper started Xvfb: ${headless.reason}`);
    });
  });
}

reportWebgpu('backend-gpujs backend');

function reg(): Registry {
  const r = new Registry();
  register(r);
  return r;
}

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  });
}

const MODES = [
  { mode: 'webasm' as const, available: true, kind: 'buffers' },
  { mode: 'headlessgl' as const, available: headless.available, kind: 'textures' },
  { mode: 'webgpu' as const, available: webgpu.available, kind: 'buffers' },
];

for (const m of MODES) {
  describe.skipIf(!m.available)(`gpujs ${m.mode} backend`, () => {
    let ctx: Context;
    beforeAll(async () => {
      ctx = await createContext({ backend: 'gpujs', registry: reg(), backendOptions: { mode: m.mode } });
    });
    afterAll(async () => {
      await ctx.dispose();
    });

    /** One training step of a conv -> relu -> maxpool -> dense -> softmax net; returns every tensor it made. */
    async function step(x: any, w: any, b: any, fw: any, labels: any, vW: any, vF: any) {
      const made: any[] = [];
      const keep = <T,>(t: T) => (made.push(t), t);
      const y = keep(await ctx.conv2d(x, w, { bias: b }));
      const a = keep(await ctx.relu(y));
      const p = await ctx.maxpool2d(a, { kernel: 2 });
      keep(p.y);
      keep(p.indices);
      const flat = keep(p.y.reshape([2, 4 * 4 * 4]));
      const logits = keep(await ctx.dense(flat, fw));
      const sx = await ctx.softmaxCrossEntropy(logits, labels);
      keep(sx.loss);
      keep(sx.probs);
      const dl = keep(await ctx.softmaxCrossEntropyBackward(sx.probs, labels));
      const db = await ctx.denseBackward(flat, fw, dl);
      keep(db.dx); keep(db.dw); keep(db.db);
      const dpy = keep(db.dx.reshape([2, 4, 4, 4]));
      const da = keep(await ctx.maxpool2dBackward(dpy, p.indices, { kernel: 2, inputShape: [2, 4, 8, 8] }));
      const dy = keep(await ctx.reluBackward(y, da));
      const g = await ctx.conv2dBackward(x, w, dy);
      keep(g.dx); keep(g.dw); keep(g.db);
      await ctx.sgd(w, g.dw!, vW, { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
      await ctx.sgd(fw, db.dw, vF, { lr: 0.1, momentum: 0.9 });
      return { made, loss: sx.loss };
    }

    it(`engine is '${m.mode}' and lastRun says so`, async () => {
      expect(ctx.engine).toBe(m.mode);
      const t = ctx.tensor([1, -2, 3], [3]);
      const r = await ctx.relu(t);
      expect(ctx.lastRun).toEqual({ op: 'relu', backend: 'gpujs', engine: m.mode });
      expect(Array.from(await r.read())).toEqual([1, 0, 3]);
      // WebGPU reads back only asynchronously (mapAsync)
      if (m.mode === 'webgpu') expect(() => r.readSync()).toThrow(/cannot read synchronously/);
      else expect(Array.from(r.readSync())).toEqual([1, 0, 3]);
      t.dispose();
      r.dispose();
    });

    it('keeps a whole training step on the device (no readback until read) and the live texture/buffer count flat', async () => {
      const x = ctx.tensor(rand(2 * 3 * 8 * 8, 1), [2, 3, 8, 8]);
      const w = ctx.tensor(rand(4 * 3 * 3 * 3, 2), [4, 3, 3, 3]);
      const b = ctx.tensor(rand(4, 3), [4]);
      const fw = ctx.tensor(rand(64 * 10, 4), [64, 10]);
      const labels = ctx.tensor(new Int32Array([3, 7]), [2]);
      const vW = ctx.zeros([4, 3, 3, 3]);
      const vF = ctx.zeros([64, 10]);
      const counts: number[] = [];
      const kernels: number[] = [];
      const losses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const before = ctx.memory().backend.readbacks!;
        const { made, loss } = await step(x, w, b, fw, labels, vW, vF);
        expect(ctx.memory().backend.readbacks).toBe(before); // nothing came back to the host
        losses.push((await loss.read())[0]!);
        for (const t of made) t.dispose();
        counts.push(ctx.memory().backend[m.kind]!);
        kernels.push(ctx.memory().backend.kernels!);
      }
      expect(new Set(counts).size, `live ${m.kind} per step: ${counts}`).toBe(1);
      // same shapes, same kernels: nothing is recompiled after the first step
      expect(new Set(kernels).size, `compiled kernels after each step: ${kernels}`).toBe(1);
      expect(losses[3]).toBeLessThan(losses[0]!); // it trains
      for (const t of [x, w, b, fw, labels, vW, vF]) t.dispose();
      // everything this test made is gone
      expect(ctx.memory().backend[m.kind]).toBe(0);
      expect(ctx.memory().backend.dataIds).toBe(0);
    });

    it('conv forward on the im2col path keeps columns on the device and frees them', async () => {
      const c2 = await createContext({ backend: 'gpujs', registry: reg(), backendOptions: { mode: m.mode, convAlgorithm: 'im2col' } });
      try {
        const xd = rand(2 * 3 * 6 * 6, 9), wd = rand(8 * 3 * 3 * 3, 10);
        const x = c2.tensor(xd, [2, 3, 6, 6]);
        const w = c2.tensor(wd, [8, 3, 3, 3]);
        const r0 = c2.memory().backend;
        const y = await c2.conv2d(x, w);
        const r1 = c2.memory().backend;
        expect(r1.readbacks).toBe(r0.readbacks);
        // upload x, upload w, im2col, gemm (the webgpu engine may upload without a kernel: src/webgpu)
        if (m.mode !== 'webgpu') expect(r1.launches! - r0.launches!).toBe(4);
        expect(r1[m.kind]).toBe(3); // x, w, y: the columns were freed
        const ref = refConv2d({ data: xd, shape: [2, 3, 6, 6] }, { data: wd, shape: [8, 3, 3, 3] }, null);
        const got = await y.read();
        for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - ref.data[i]!)).toBeLessThan(1e-4);
      } finally {
        await c2.dispose();
      }
    });

    it('refuses tensors beyond the 2^24-element exact-index limit with a clear error, up front', async () => {
      expect(() => ctx.zeros([2 ** 24 + 1])).toThrow(/2\^24/);
      expect(() => ctx.zeros([2 ** 31 - 1])).toThrow(/2\^24/);
      expect(() => ctx.tensor(new Float32Array(2 ** 24 + 1), [2 ** 24 + 1])).toThrow(/2\^24/);
      const ok = ctx.zeros([2 ** 24]); // the limit itself is fine
      ok.dispose();
    });

    it('rejects host-written maxpool indices that are outside their window', async () => {
      const dy = ctx.tensor([1, 1, 1, 1], [1, 1, 2, 2]);
      const idx = ctx.tensor(new Int32Array([0, 2, 8, 15]), [1, 1, 2, 2]); // 2 is not in window (0,0) ... wait
      // window (0,1) covers columns 2..3 of rows 0..1: index 2 is fine; make output 0 point into window (1,1)
      const bad = ctx.tensor(new Int32Array([15, 2, 8, 15]), [1, 1, 2, 2]);
      const ok = await ctx.maxpool2dBackward(dy, idx, { kernel: 2, inputShape: [1, 1, 4, 4] });
      expect(Array.from(await ok.read())).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
      await expect(ctx.maxpool2dBackward(dy, bad, { kernel: 2, inputShape: [1, 1, 4, 4] })).rejects.toThrow(/inside its own pooling window.*received index 15 at output 0/);
      for (const t of [dy, idx, bad, ok]) t.dispose();
    });
  });
}

describe('gpujs CPU-fallback policy (gpu.js degrades an unsupported kernel to its CPU kernel)', () => {
  // a texture-typed argument is something the webasm kernel cannot take: gpu.js swaps in CPUKernel
  const fakeTexture = () => ({ type: 'NumberTexture', output: [2], size: [2, 1], toArray: () => new Float32Array([5, 6]) });
  const src = 'function (a) { return a[this.thread.x] * 2.0; }';

  it('is an error by default, naming the reason', async () => {
    const e = await Engine.create({ mode: 'webasm' });
    await expect(e.run('probe', src, 2, [fakeTexture()])).rejects.toThrow(CpuFallbackError);
    await expect(e.run('probe', src, 2, [fakeTexture()])).rejects.toThrow(/allowCpuFallback/);
    expect(e.engine).toBe('webasm');
    await e.dispose();
  });

  it("with allowCpuFallback the result is used and engine says 'cpu'", async () => {
    const e = await Engine.create({ mode: 'webasm', allowCpuFallback: true });
    const h = await e.run('probe', src, 2, [fakeTexture()]);
    expect(Array.from(await e.read(h, 2))).toEqual([10, 12]);
    expect(e.engine).toBe('cpu');
    await e.dispose();
  });
});

describe('gpujs backend object (defineBackend: a GpujsRuntime and the gpujsKernels table)', () => {
  it('claims exactly the ops of its kernel table, and reports mode, renderer and adapter as members', async () => {
    const be = await createGpujsBackend({ mode: 'webasm' });
    const ops = ['gemm', 'im2col', 'col2im', 'conv2d', 'conv2dBackward', 'maxpool2d', 'maxpool2dBackward', 'sgd', 'relu', 'reluBackward', 'softmaxCrossEntropy', 'softmaxCrossEntropyBackward',
      'batchNorm2d', 'batchNorm2dBackward', 'add', 'sub', 'mul', 'sumToShape', 'globalAvgPool2d', 'globalAvgPool2dBackward',
      'avgpool2d', 'avgpool2dBackward', 'softmax', 'softmaxBackward', 'logSoftmax', 'logSoftmaxBackward'];
    expect([...be.capabilities].sort()).toEqual(ops.sort());
    for (const op of ops) expect(typeof (be as unknown as Record<string, unknown>)[op], op).toBe('function');
    expect(be.name).toBe('gpujs');
    expect(be.engine).toBe('webasm');
    expect(be.mode).toBe('webasm');
    expect(be.renderer).toEqual({ renderer: 'cpu (wasm)', software: true });
    expect(be.adapter).toBeNull();
    expect(be.precision).toEqual({ atol: 1e-4, rtol: 1e-4 });
    expect(typeof be.readSync).toBe('function');
    await be.dispose();
  });

  it('refuses an unknown convAlgorithm or a gpu option without requestAdapter() before any context is made', async () => {
    await expect(createGpujsBackend({ mode: 'webasm', convAlgorithm: 'fft' as never })).rejects.toThrow(/unknown convAlgorithm 'fft'/);
    await expect(createGpujsBackend({ mode: 'webasm', gpu: {} as never })).rejects.toThrow(/navigator.gpu-like object/);
  });
});

describe.skipIf(!headless.available)('gpujs headlessgl lost context', () => {
  it('a destroyed context (STACKGL_destroy_context) gives a clear error on the next op and read, never data', async () => {
    const be = await createGpujsBackend({ mode: 'headlessgl' });
    const ctx = await createContext({ backend: 'mine', registry: new Registry().register({ name: 'mine', priority: 1, probe: () => true, create: () => be }) });
    const x = ctx.tensor([1, -1, 2, -2], [4]);
    const y = await ctx.relu(x);
    expect(Array.from(await y.read())).toEqual([1, 0, 2, 0]);
    const z = await ctx.relu(y);
    be.loseContextForTesting();
    await expect(ctx.relu(y)).rejects.toThrow(/context was lost/);
    await expect(z.read()).rejects.toThrow(GpuContextLostError);
    expect(() => z.readSync()).toThrow(/context was lost/);
    await ctx.dispose();
  });
});

describe.skipIf(!webgpu.available)('gpujs webgpu lost device', () => {
  async function setup() {
    const be = await createGpujsBackend({ mode: 'webgpu' });
    expect(be.engine).toBe('webgpu');
    expectTestAdapter(be.adapter);
    const ctx = await createContext({ backend: 'mine', registry: new Registry().register({ name: 'mine', priority: 1, probe: () => true, create: () => be }) });
    return { be, ctx };
  }

  it('a destroyed device (the test hook) gives a clear error on the next op and read, never data', async () => {
    const { be, ctx } = await setup();
    const x = ctx.tensor([1, -1, 2, -2], [4]);
    const y = await ctx.relu(x);
    expect(Array.from(await y.read())).toEqual([1, 0, 2, 0]);
    const z = await ctx.relu(y);
    be.loseContextForTesting();
    await expect(ctx.relu(y)).rejects.toThrow(/context was lost/);
    await expect(z.read()).rejects.toThrow(GpuContextLostError);
    await ctx.dispose();
  });

  it('a device destroyed behind the backend (GPUDevice.destroy()) is detected through device.lost', async () => {
    const { ctx } = await setup();
    const x = ctx.tensor([3, -3, 4, -4], [4]);
    const y = await ctx.relu(x);
    expect(Array.from(await y.read())).toEqual([3, 0, 4, 0]);
    const { WebGPUContext } = await import('./gpujs.js');
    const rec = await WebGPUContext.acquire();
    rec.device.destroy();
    await rec.device.lost;
    await expect(ctx.relu(y)).rejects.toThrow(/webgpu context was lost/);
    await expect(y.read()).rejects.toThrow(GpuContextLostError);
    await ctx.dispose();
    // a new backend acquires a fresh device (and the probe, cached per device, runs again)
    const p = await probeMode('webgpu');
    expect(p.available).toBe(true);
    expect(p).not.toBe(webgpu);
    const { ctx: c2 } = await setup();
    const t = c2.tensor([5, -5], [2]);
    expect(Array.from(await (await c2.relu(t)).read())).toEqual([5, 0]);
    await c2.dispose();
  });
});

describe('headless-gl renderer classification (the GL driver mapped into the process)', () => {
  const line = (p: string) => `7f1c2a000000-7f1c2a200000 r-xp 00000000 08:01 1234 ${p}`;
  it('Mesa swrast (what Xvfb gives) is software, even with a render node; unknown is software', () => {
    const maps = [line('/usr/lib/x86_64-linux-gnu/libGLX_mesa.so.0.0.0'), line('/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so')].join('\n');
    expect(classifyGlDriver(maps)).toEqual({ driver: expect.stringMatching(/swrast_dri\.so: software/), software: true });
    expect(classifyGlDriver(line('/usr/lib/x86_64-linux-gnu/libGLX_mesa.so.0')).software).toBe(true);
    expect(classifyGlDriver(line('/usr/lib/x86_64-linux-gnu/dri/zink_dri.so')).software).toBe(true);
  });
  it('NVIDIA GLX and Mesa hardware DRI drivers are hardware, unless software is forced', () => {
    expect(classifyGlDriver(line('/usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.550.54.15'))).toEqual({ driver: expect.stringMatching(/NVIDIA/), software: false });
    expect(classifyGlDriver(line('/usr/lib/x86_64-linux-gnu/dri/radeonsi_dri.so')).software).toBe(false);
    expect(classifyGlDriver(line('/usr/lib/x86_64-linux-gnu/dri/iris_dri.so'), '1').software).toBe(true);
    expect(classifyGlDriver(line('/usr/lib/x86_64-linux-gnu/dri/iris_dri.so'), undefined, 'llvmpipe').software).toBe(true);
  });
  it.skipIf(!headless.available)('under Xvfb the headless-gl probe names Mesa swrast and says software', () => {
    expect(headless.reason).toMatch(/a probe kernel ran/);
    expect(headless.renderer).toMatch(/swrast_dri\.so/);
    expect(headless.software).toBe(true);
  });
  it('without DISPLAY the headless-gl probe fails at once for a permanent reason, and the answer is cached', async () => {
    const display = process.env.DISPLAY;
    delete process.env.DISPLAY;
    try {
      const a = await probeMode('headlessgl');
      expect(a.available).toBe(false);
      expect(a.reason).toMatch(/DISPLAY|gl' package/);
      expect(await probeMode('headlessgl')).toBe(a);
    } finally {
      if (display !== undefined) process.env.DISPLAY = display;
    }
  });
});

describe('gpujs probe and descriptor', () => {
  it('reports availability with a reason, and a software renderer / wasm gets a priority below js (10) and workers (20)', async () => {
    const p = await gpujsBackend.probe();
    const probe = typeof p === 'boolean' ? { available: p } : p;
    expect(probe.available).toBe(true);
    expect(probe.reason).toMatch(/webasm|headlessgl|webgpu/);
    // this machine has no GPU: SwiftShader (webgpu), Mesa under Xvfb or the wasm CPU engine
    expect(probe.priority).toBe(SOFTWARE_PRIORITY);
    const r = reg();
    const js: BackendDescriptor = { name: 'fake-js', priority: 10, probe: () => true, create: () => { throw new Error('not used'); } };
    r.register(js);
    const order = await r.probeAll();
    expect(order.map((o) => o.name)).toEqual(['fake-js', 'gpujs']);
  });

  it('every probe that says available ran a kernel; webasm is cached', async () => {
    for (const mode of ['webasm', 'headlessgl', 'webgpu'] as const) {
      const p = await probeMode(mode);
      if (p.available) expect(p.reason, mode).toMatch(/a probe kernel ran/);
    }
    const a = await probeMode('webasm');
    expect(await probeMode('webasm')).toBe(a);
    clearProbeCache();
    expect(await probeMode('webasm')).not.toBe(a);
  });

  it('explains unavailable modes and rejects unknown ones', async () => {
    expect((await probeMode('webgl2')).reason).toMatch(/needs a browser/);
    const wg = await probeMode('webgpu');
    expect(wg.available).toBe(webgpu.available);
    if (!wg.available) expect(wg.reason).toMatch(/webgpu|WebGPU/);
    await expect(createGpujsBackend({ mode: 'webgl2' })).rejects.toThrow(/not available/);
    await expect(createGpujsBackend({ mode: 'nope' as never })).rejects.toThrow(/unknown mode/);
  });

  it("'auto' picks a real engine, never gpu.js's cpu: the first available mode (all software here)", async () => {
    const be = await createGpujsBackend({ mode: 'auto' });
    expect(['headlessgl', 'webasm', 'webgpu']).toContain(be.engine);
    if (webgpu.available) expect(be.engine).toBe('webgpu');
    else if (headless.available) expect(be.engine).toBe('headlessgl');
    await be.dispose();
  });
});
