/**
 * Peer: TensorFlow.js (tfjs-core 4.22) with tfjs-backend-cpu and tfjs-backend-wasm (XNNPACK, SIMD;
 * threads where the threaded build can start). Inputs are laid out NHWC / HWIO once at setup
 * (its native layout: a layout change is not part of any timed run); padding is passed explicitly
 * so the windows are exactly the course's 'same' ones (TF's own 'same' centres 7x7/2 differently).
 */
import type * as TF from '@tensorflow/tfjs-core';
import type { Impl, Inputs, Prepared } from './impl.js';
import type { Output } from './check.js';
import { convGeometry, poolGeometry, type Workload } from './workloads.js';
import { kcrsToHwio, nchwToNhwc } from './layout.js';

let tfp: Promise<typeof TF> | null = null;
export function loadTf(): Promise<typeof TF> {
  tfp ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await import('@tensorflow/tfjs-backend-wasm');
    // PROD: no debug checks, and no "install tfjs-node" banner on stderr
    tf.env().set('PROD', true);
    return tf;
  })();
  return tfp;
}

export class TfjsImpl implements Impl {
  readonly group = 'peer' as const;
  readonly precision = { atol: 1e-4, rtol: 1e-4 };
  constructor(
    readonly id: string,
    readonly tf: typeof TF,
    readonly backendName: 'cpu' | 'wasm' | 'webgpu',
    readonly engine: string,
    readonly threads: number,
    /** webgpu: the adapter tfjs's backend reports, and whether it is a software rasteriser */
    readonly adapter?: string,
    readonly software?: boolean,
  ) {}

  async use(): Promise<void> {
    if (this.tf.getBackend() !== this.backendName) {
      const ok = await this.tf.setBackend(this.backendName);
      if (!ok) throw new Error(`tfjs backend ${this.backendName} failed to initialise`);
    }
  }

  unsupported(w: Workload): string | null {
    if (w.kind === 'train') return 'not written for peers (convkit rows only)';
    if (w.kind === 'convBackward' && this.backendName === 'wasm') return "tfjs-backend-wasm has no 'Conv2DBackpropFilter' kernel (dW)";
    if (this.backendName === 'webgpu') {
      const kernels = { conv: ['FusedConv2D'], convBackward: ['Conv2DBackpropInput', 'Conv2DBackpropFilter'], maxpool: ['MaxPool'], gemm: ['BatchMatMul'] }[w.kind];
      const missing = kernels.filter((k) => !this.tf.getKernel(k, 'webgpu'));
      if (missing.length) return `tfjs-backend-webgpu has no ${missing.map((k) => `'${k}'`).join(', ')} kernel`;
    }
    if (w.kind === 'convBackward' && this.backendName === 'cpu' && w.shape.N * w.shape.K * w.shape.H * w.shape.W * w.shape.C * w.shape.R * w.shape.S > 1e8) {
      // one call of workload A did not finish in 7 minutes on this machine (2 shared cores)
      return "skipped at this size: tfjs-backend-cpu's Conv2DBackpropInput/Filter are scalar loops over TensorBuffer.get (one call of A ran > 7 min here); its correctness is checked in --quick";
    }
    return null;
  }

  async prepare(w: Workload, inp: Inputs): Promise<Prepared> {
    await this.use();
    const tf = this.tf;
    const owned: TF.Tensor[] = [];
    const T = <R extends TF.Rank>(v: Float32Array, shape: number[]) => {
      const t = tf.tensor(v, shape as any, 'float32') as TF.Tensor<R>;
      owned.push(t);
      return t;
    };
    const dispose = () => owned.forEach((t) => t.dispose());
    const read = async (t: TF.Tensor, shape: number[], layout: Output['layout']): Promise<Output> => {
      const data = (await t.data()) as Float32Array;
      t.dispose();
      return { data, shape, layout };
    };
    const self = this;
    switch (w.kind) {
      case 'conv': {
        const c = w.shape;
        const g = convGeometry(c);
        const x = T<TF.Rank.R4>(nchwToNhwc(inp.x as Float32Array, c.N, c.C, c.H, c.W), [c.N, c.H, c.W, c.C]);
        const f = T<TF.Rank.R4>(kcrsToHwio(inp.w as Float32Array, c.K, c.C, c.R, c.S), [c.R, c.S, c.C, c.K]);
        const b = T<TF.Rank.R1>(inp.b as Float32Array, [c.K]);
        const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [g.padTop, g.padBottom], [g.padLeft, g.padRight], [0, 0]];
        return {
          async run() {
            await self.use();
            const y = tf.fused.conv2d({ x, filter: f, strides: c.stride, pad, bias: b });
            return { y: await read(y, [c.N, c.K, g.outH, g.outW], 'nhwc') };
          },
          dispose,
        };
      }
      case 'convBackward': {
        const c = w.shape;
        const g = convGeometry(c);
        const x = T(nchwToNhwc(inp.x as Float32Array, c.N, c.C, c.H, c.W), [c.N, c.H, c.W, c.C]);
        const f = T(kcrsToHwio(inp.w as Float32Array, c.K, c.C, c.R, c.S), [c.R, c.S, c.C, c.K]);
        const dy = T(nchwToNhwc(inp.dy as Float32Array, c.N, c.K, g.outH, g.outW), [c.N, g.outH, g.outW, c.K]);
        const pad = [[0, 0], [g.padTop, g.padBottom], [g.padLeft, g.padRight], [0, 0]];
        const strides: [number, number] = [c.stride, c.stride];
        return {
          async run() {
            await self.use();
            const e = tf.engine();
            const dx = e.runKernel('Conv2DBackpropInput', { dy, filter: f }, { strides, pad, dataFormat: 'NHWC', inputShape: [c.N, c.H, c.W, c.C] } as any) as TF.Tensor;
            const dw = e.runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape: [c.R, c.S, c.C, c.K] } as any) as TF.Tensor;
            return { dx: await read(dx, [c.N, c.C, c.H, c.W], 'nhwc'), dw: await read(dw, [c.K, c.C, c.R, c.S], 'hwio') };
          },
          dispose,
        };
      }
      case 'maxpool': {
        const p = w.shape;
        const g = poolGeometry(p);
        if (p.k !== 2 || p.stride !== 2) throw new Error('tfjs maxpool mapping written for 2x2/2 only');
        const x = T<TF.Rank.R4>(nchwToNhwc(inp.x as Float32Array, p.N, p.C, p.H, p.W), [p.N, p.H, p.W, p.C]);
        return {
          async run() {
            await self.use();
            // TF 'same' for 2x2/2 starts windows at 0 and skips the outside: the course's 'same'
            const y = tf.maxPool(x, p.k, p.stride, 'same');
            return { y: await read(y, [p.N, p.C, g.outH, g.outW], 'nhwc') };
          },
          dispose,
        };
      }
      case 'gemm': {
        const s = w.shape;
        const a = T<TF.Rank.R2>(inp.a as Float32Array, [s.M, s.K]);
        const b = T<TF.Rank.R2>(inp.b as Float32Array, [s.K, s.N]);
        return {
          async run() {
            await self.use();
            return { c: await read(tf.matMul(a, b), [s.M, s.N], 'course') };
          },
          dispose,
        };
      }
      case 'train':
        throw new Error('unsupported');
    }
  }

  dispose(): void {}
}

export interface PeerRow {
  label: string;
  impl?: Impl;
  skipped?: string;
}

export interface TfjsSetup {
  /** include tfjs-backend-cpu (default true) */
  cpu?: boolean;
  /** where the .wasm files are served (browser) */
  wasmPaths?: string;
  /** threads for XNNPACK (browser with cross-origin isolation) */
  threads?: number;
  /** appended to the row ids, e.g. '@chromium' */
  suffix?: string;
}

/** tfjs-backend-cpu and tfjs-backend-wasm: in Node single-threaded SIMD (what Node gets by default). */
export async function tfjsImpls(o: TfjsSetup = {}): Promise<PeerRow[]> {
  const rows: PeerRow[] = [];
  const sfx = o.suffix ?? '';
  let tf: typeof TF;
  try {
    tf = await loadTf();
  } catch (e) {
    return [{ label: 'tfjs', skipped: `cannot load tfjs: ${(e as Error).message}` }];
  }
  if (o.cpu !== false) rows.push({ label: `tfjs:cpu${sfx}`, impl: new TfjsImpl(`tfjs:cpu${sfx}`, tf, 'cpu', 'tfjs-cpu (js)', 1) });
  try {
    const wasmMod = await import('@tensorflow/tfjs-backend-wasm');
    if (o.wasmPaths) wasmMod.setWasmPaths(o.wasmPaths);
    if (o.threads) wasmMod.setThreadsCount(o.threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend(wasm) returned false');
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') as boolean;
    const threads = wasmMod.getThreadsCount();
    const id = `tfjs:wasm${threads > 1 ? '-threads' : ''}${sfx}`;
    rows.push({ label: id, impl: new TfjsImpl(id, tf, 'wasm', `tfjs-wasm (xnnpack${simd ? ', simd' : ''}, ${threads} thread${threads > 1 ? 's' : ''})`, threads) });
  } catch (e) {
    rows.push({ label: `tfjs:wasm${sfx}`, skipped: (e as Error)?.message ?? String(e) });
  }
  return rows;
}
