/**
 * Peer: onnxruntime-node, CPU execution provider (forward only). Each workload is one ONNX node
 * (Conv, MaxPool, MatMul) in a model written by @convkit/onnx-op; weights are graph inputs, so a run feeds
 * the same tensors every time. Explicit pads give exactly the course's 'same' windows.
 */
import type { Impl, Inputs, Prepared } from './impl.js';
import type { Output } from './check.js';
import { convGeometry, poolGeometry, type Workload } from './workloads.js';
import { singleOpModel } from '@convkit/onnx-op';

type Ort = typeof import('onnxruntime-node');

export class OrtImpl implements Impl {
  readonly id = 'onnxruntime:cpu';
  readonly group = 'peer' as const;
  readonly precision = { atol: 1e-4, rtol: 1e-4 };
  readonly engine: string;
  constructor(
    readonly ort: Ort,
    readonly threads: number,
  ) {
    this.engine = `onnxruntime-node ${ort.env.versions?.common ?? ''} cpu (${threads} threads)`.replace('  ', ' ');
  }

  unsupported(w: Workload): string | null {
    if (w.kind === 'convBackward' || w.kind === 'train') return 'onnxruntime-node is inference only (forward)';
    return null;
  }

  async prepare(w: Workload, inp: Inputs): Promise<Prepared> {
    const ort = this.ort;
    let model: Uint8Array;
    let feeds: Record<string, InstanceType<Ort['Tensor']>>;
    let outName: string;
    let outShape: number[];
    switch (w.kind) {
      case 'conv': {
        const c = w.shape;
        const g = convGeometry(c);
        outShape = [c.N, c.K, g.outH, g.outW];
        outName = 'y';
        model = singleOpModel(
          'Conv',
          [
            { name: 'x', shape: [c.N, c.C, c.H, c.W] },
            { name: 'w', shape: [c.K, c.C, c.R, c.S] },
            { name: 'b', shape: [c.K] },
          ],
          [{ name: 'y', shape: outShape }],
          { kernel_shape: [c.R, c.S], strides: [c.stride, c.stride], pads: [g.padTop, g.padLeft, g.padBottom, g.padRight] },
        );
        feeds = {
          x: new ort.Tensor('float32', inp.x as Float32Array, [c.N, c.C, c.H, c.W]),
          w: new ort.Tensor('float32', inp.w as Float32Array, [c.K, c.C, c.R, c.S]),
          b: new ort.Tensor('float32', inp.b as Float32Array, [c.K]),
        };
        break;
      }
      case 'maxpool': {
        const p = w.shape;
        const g = poolGeometry(p);
        outShape = [p.N, p.C, g.outH, g.outW];
        outName = 'y';
        // ONNX MaxPool pads are never part of the max (like the course's skipped positions)
        model = singleOpModel('MaxPool', [{ name: 'x', shape: [p.N, p.C, p.H, p.W] }], [{ name: 'y', shape: outShape }], {
          kernel_shape: [p.k, p.k],
          strides: [p.stride, p.stride],
          pads: [g.padTop, g.padLeft, g.padBottom, g.padRight],
        });
        feeds = { x: new ort.Tensor('float32', inp.x as Float32Array, [p.N, p.C, p.H, p.W]) };
        break;
      }
      case 'gemm': {
        const s = w.shape;
        outShape = [s.M, s.N];
        outName = 'c';
        model = singleOpModel('MatMul', [{ name: 'a', shape: [s.M, s.K] }, { name: 'b', shape: [s.K, s.N] }], [{ name: 'c', shape: outShape }]);
        feeds = {
          a: new ort.Tensor('float32', inp.a as Float32Array, [s.M, s.K]),
          b: new ort.Tensor('float32', inp.b as Float32Array, [s.K, s.N]),
        };
        break;
      }
      default:
        throw new Error('unsupported');
    }
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    return {
      async run() {
        const r = await session.run(feeds);
        const t = r[outName]!;
        // the output buffer is copied out of the native tensor: the read-back
        const out: Output = { data: new Float32Array(t.data as Float32Array), shape: outShape };
        t.dispose?.();
        return { [outName]: out };
      },
      async dispose() {
        await session.release();
      },
    };
  }

  dispose(): void {}
}

export async function ortImpl(threads: number): Promise<{ label: string; impl?: Impl; skipped?: string }> {
  try {
    const mod = (await import('onnxruntime-node')) as Ort & { default?: Ort };
    const ort = (mod.InferenceSession ? mod : mod.default) as Ort;
    return { label: 'onnxruntime:cpu', impl: new OrtImpl(ort, threads) };
  } catch (e) {
    return { label: 'onnxruntime:cpu', skipped: `cannot load onnxruntime-node: ${(e as Error).message.split('\n')[0]}` };
  }
}
