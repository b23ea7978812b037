/** What every benchmarked implementation (a convkit backend or a peer library) provides. */
import type { Output, Tolerance } from './check.js';
import type { Workload } from './workloads.js';

export interface Prepared {
  /** One timed run, read-back included; returns the outputs in their native layout. */
  run(): Promise<Record<string, Output>>;
  dispose(): Promise<void> | void;
}

export interface Impl {
  /** unique row id, e.g. 'convkit:js', 'tfjs:wasm-simd' */
  id: string;
  /** 'convkit' or 'peer' */
  group: 'convkit' | 'peer';
  /** the engine that really ran (as the implementation reports it) */
  engine: string;
  /** threads it uses, where known */
  threads?: number;
  /** the GPU adapter it ran on (WebGPU / GL rows), where known */
  adapter?: string;
  /** that adapter is a software rasteriser (SwiftShader, lavapipe, llvmpipe, Mesa software GL) */
  software?: boolean;
  /** the tolerance it claims (at least the contract's 1e-4 is applied by the checker) */
  precision: Tolerance;
  /** null when the workload can run, else the reason it cannot */
  unsupported(w: Workload): string | null;
  prepare(w: Workload, inputs: Inputs): Promise<Prepared>;
  dispose(): Promise<void> | void;
}

/** Inputs of one workload, course layout (NCHW, KCRS, row-major). */
export type Inputs = Record<string, Float32Array | Int32Array>;
