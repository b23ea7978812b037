/** A convkit backend as a benchmark implementation: the workloads through the Context op API (browser-safe). */
import { Context, Registry, type BackendDescriptor, type Tensor, type OpName } from '@convkit/core';
import type { Impl, Inputs, Prepared } from './impl.js';
import type { Output } from './check.js';
import type { Workload } from './workloads.js';
import { contextStep, trainDims, uploadTrain, PARAM_NAMES, type TrainInit } from './train.js';

/**
 * The variants to run for a backend: gpu.js has one per mode that the platform can have; workers
 * runs with its default kernels ('auto': WebAssembly SIMD where it validates) and, in Node, once
 * more with `kernels: 'js'` (row `workers:js-kernels`) to show what the wasm kernels bring, and with
 * `hostThread: true` (row `workers:host`: the main thread computes a share, cores - 1 workers).
 */
export function variantsOf(name: string, platform: 'node' | 'browser' = 'node'): { label: string; options?: unknown }[] {
  if (name === 'gpujs') {
    const modes = platform === 'node' ? ['headlessgl', 'webgpu', 'webasm'] : ['webgl2', 'webgpu', 'webasm'];
    return modes.map((mode) => ({ label: `gpujs:${mode}`, options: { mode } }));
  }
  if (name === 'workers' && platform === 'node') {
    return [
      { label: 'workers' },
      { label: 'workers:host', options: { hostThread: true } },
      { label: 'workers:js-kernels', options: { kernels: 'js' } },
    ];
  }
  return [{ label: name }];
}

export interface ConvkitRow {
  label: string;
  impl?: ConvkitImpl;
  skipped?: string;
}

/** Creates an Impl for every variant of the descriptors that is really available; the rest with the reason. */
export async function implsFromDescriptors(
  descriptors: BackendDescriptor[],
  platform: 'node' | 'browser',
  log: (s: string) => void = () => {},
): Promise<ConvkitRow[]> {
  const rows: ConvkitRow[] = [];
  for (const d of descriptors) {
    const reg = new Registry().register(d);
    for (const v of variantsOf(d.name, platform)) {
      const label = `convkit:${v.label}${platform === 'browser' ? '@chromium' : ''}`;
      try {
        const backend = await reg.create(d.name, v.options);
        const ctx = new Context(backend);
        const want = (v.options as { mode?: string } | undefined)?.mode;
        if (want && backend.engine !== want) {
          rows.push({ label, skipped: `asked for mode '${want}', engine is '${backend.engine}'` });
          await ctx.dispose();
          continue;
        }
        rows.push({ label, impl: new ConvkitImpl(label, ctx) });
        log(`${label}: engine ${backend.engine}`);
      } catch (e) {
        rows.push({ label, skipped: ((e as Error)?.message ?? String(e)).split('\n')[0]! });
      }
    }
  }
  return rows;
}

/**
 * The adapter a GPU backend reports: gpu.js's `adapter` (WebGPU: vendor / architecture / device /
 * description and the software flag) or its `renderer` ({ renderer, software }); undefined for CPU
 * backends (gpu.js webasm reports 'cpu (wasm)', which is not an adapter).
 */
function gpuAdapterOf(b: unknown): { adapter: string; software: boolean } | undefined {
  const o = b as { adapter?: unknown; renderer?: unknown; engine?: string };
  if (o.engine === 'webasm' || o.engine === 'cpu') return undefined;
  const a = o.adapter as { vendor?: string; architecture?: string; device?: string; description?: string; software?: boolean } | null | undefined;
  if (a && typeof a === 'object' && typeof a.software === 'boolean') {
    const line = [a.vendor, a.architecture, a.device, a.description].filter((s) => s).join(' / ');
    return { adapter: line || 'unknown', software: a.software };
  }
  const r = o.renderer as { renderer?: string; software?: boolean } | undefined;
  if (r && typeof r === 'object' && typeof r.renderer === 'string') return { adapter: r.renderer, software: !!r.software };
  return undefined;
}

const NEEDS: Record<Workload['kind'], OpName[]> = {
  conv: ['conv2d'],
  convBackward: ['conv2dBackward'],
  maxpool: ['maxpool2d'],
  gemm: ['gemm'],
  train: ['conv2d', 'relu', 'maxpool2d', 'gemm', 'softmaxCrossEntropy', 'softmaxCrossEntropyBackward', 'maxpool2dBackward', 'reluBackward', 'conv2dBackward', 'sgd'],
};

async function readOut(t: Tensor, shape: number[]): Promise<Output> {
  const data = await t.read();
  return { data, shape };
}

export class ConvkitImpl implements Impl {
  readonly group = 'convkit' as const;
  constructor(
    readonly id: string,
    readonly ctx: Context,
  ) {}

  get engine(): string {
    return this.ctx.engine;
  }
  get precision() {
    return this.ctx.backend.precision;
  }
  /** gpu.js rows: the GL renderer / WebGPU adapter the backend reports */
  get adapter(): string | undefined {
    return gpuAdapterOf(this.ctx.backend)?.adapter;
  }
  get software(): boolean | undefined {
    return gpuAdapterOf(this.ctx.backend)?.software;
  }

  unsupported(w: Workload): string | null {
    const missing = NEEDS[w.kind].filter((op) => !this.ctx.supports(op));
    return missing.length ? `backend has no ${missing.join(', ')}` : null;
  }

  async prepare(w: Workload, inp: Inputs): Promise<Prepared> {
    const ctx = this.ctx;
    const owned: Tensor[] = [];
    const T = (v: Float32Array | Int32Array, shape: number[]) => {
      const t = ctx.tensor(v, shape);
      owned.push(t);
      return t;
    };
    const dispose = () => {
      for (const t of owned) t.dispose();
    };
    switch (w.kind) {
      case 'conv': {
        const c = w.shape;
        const x = T(inp.x!, [c.N, c.C, c.H, c.W]);
        const wt = T(inp.w!, [c.K, c.C, c.R, c.S]);
        const b = T(inp.b!, [c.K]);
        return {
          async run() {
            const y = await ctx.conv2d(x, wt, { bias: b, stride: c.stride, padding: 'same' });
            try {
              return { y: await readOut(y, [...y.shape]) };
            } finally {
              y.dispose();
            }
          },
          dispose,
        };
      }
      case 'convBackward': {
        const c = w.shape;
        const x = T(inp.x!, [c.N, c.C, c.H, c.W]);
        const wt = T(inp.w!, [c.K, c.C, c.R, c.S]);
        const dyShape = [c.N, c.K, Math.floor((c.H - 1) / c.stride) + 1, Math.floor((c.W - 1) / c.stride) + 1];
        const dy = T(inp.dy!, dyShape);
        return {
          async run() {
            const r = await ctx.conv2dBackward(x, wt, dy, { stride: c.stride, padding: 'same', wants: { dx: true, dw: true, db: false } });
            try {
              return { dx: await readOut(r.dx!, [c.N, c.C, c.H, c.W]), dw: await readOut(r.dw!, [c.K, c.C, c.R, c.S]) };
            } finally {
              r.dx?.dispose();
              r.dw?.dispose();
              r.db?.dispose();
            }
          },
          dispose,
        };
      }
      case 'maxpool': {
        const p = w.shape;
        const x = T(inp.x!, [p.N, p.C, p.H, p.W]);
        return {
          async run() {
            const r = await ctx.maxpool2d(x, { kernel: p.k, stride: p.stride, padding: 'same' });
            try {
              return { y: await readOut(r.y, [...r.y.shape]), indices: await readOut(r.indices, [...r.indices.shape]) };
            } finally {
              r.y.dispose();
              r.indices.dispose();
            }
          },
          dispose,
        };
      }
      case 'gemm': {
        const s = w.shape;
        const a = T(inp.a!, [s.M, s.K]);
        const b = T(inp.b!, [s.K, s.N]);
        return {
          async run() {
            const c = await ctx.gemm(a, b);
            try {
              return { c: await readOut(c, [s.M, s.N]) };
            } finally {
              c.dispose();
            }
          },
          dispose,
        };
      }
      case 'train': {
        const t = w.shape;
        const d = trainDims(t);
        const init: TrainInit = {
          x: inp.x as Float32Array,
          labels: inp.labels as Int32Array,
          params: Object.fromEntries(PARAM_NAMES.map((n) => [n, inp[n] as Float32Array])) as TrainInit['params'],
        };
        const s = uploadTrain(ctx, t, init);
        let first = true;
        return {
          async run() {
            const loss = await contextStep(ctx, t, s);
            try {
              const out: Record<string, Output> = { loss: await readOut(loss, [1]) };
              if (first) {
                // the first step's parameters are checked against the float64 step; later steps read the loss only
                first = false;
                for (const n of PARAM_NAMES) out[n] = await readOut(s.params[n], d.shapes[n]);
              }
              return out;
            } finally {
              loss.dispose();
            }
          },
          dispose() {
            s.x.dispose();
            s.labels.dispose();
            for (const n of PARAM_NAMES) {
              s.params[n].dispose();
              s.velocity[n].dispose();
            }
          },
        };
      }
    }
  }

  async dispose(): Promise<void> {
    await this.ctx.dispose();
  }
}

