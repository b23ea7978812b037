/**
 * The worker-side kernel table: the range kernels a task names (KernelName), with the arguments in
 * backend-js's order (KERNELS.md): the WebAssembly SIMD version when a WorkerWasmKernels is given
 * and it takes the range, else @convkit/backend-js's raw kernel. Used by the worker script and,
 * with the `hostThread` option, by the main thread for its own share of an op.
 */
import * as K from '@convkit/backend-js/kernels';
import type { KernelName } from './protocol.js';
import type { WorkerWasmKernels } from './wasm.js';

type Arr = Float32Array | Int32Array;
type F = Float32Array;
export type KernelArgs = Record<string, Arr | null>;

/** What one thread's range kernels share: the js kernels' scratch, the wasm kernels when they run, which set ran last. */
interface Env {
  readonly scratch: K.Scratch;
  readonly wk: WorkerWasmKernels | null;
  via: 'wasm' | 'js' | undefined;
}

/** One range kernel: a task's params, its tensor arguments by name and its ranges, in backend-js's order. */
type RangeKernel = (env: Env, p: any, a: KernelArgs, r: number[]) => number | void;

/** Runs `wasm` when the wasm kernels are on and it takes the range, else `js`; records which ran. */
function pick(env: Env, wasm: (k: WorkerWasmKernels) => boolean, js: () => number | void): number | void {
  if (env.wk && wasm(env.wk)) {
    env.via = 'wasm';
    return;
  }
  env.via = 'js';
  return js();
}

/**
 * The worker table: each range kernel's call with the arguments in backend-js's order
 * (KERNELS.md). Keyed by KernelName (names derived from core's ops; no other key is accepted);
 * kernels.ts checks at compile time that it has every kernel the host's ops dispatch.
 */
export const RANGE_KERNELS = {
  gemm: (e, p, a, r) =>
    pick(
      e,
      (k) => k.gemm(p, a.a as F, a.b as F, a.c0 as F | null, a.bias as F | null, a.out as F, r[0]!, r[1]!, r[2]!, r[3]!),
      () => K.gemm(p, a.a as F, a.b as F, a.c0 as F | null, a.bias as F | null, a.out as F, r[0], r[1], r[2], r[3], e.scratch),
    ),
  im2col: (_e, p, a, r) => K.im2col(p, a.x as F, a.cols as F, r[0], r[1], r[2], r[3]),
  col2im: (_e, p, a, r) => K.col2im(p, a.cols as F, a.dx as F, r[0], r[1], r[2], r[3]),
  conv2d: (e, p, a, r) =>
    pick(
      e,
      (k) => k.conv2d(p, a.x as F, a.w as F, a.bias as F | null, a.y as F, r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!),
      () => {
        // the output may be a recycled buffer: clear the range for a kernel that accumulates
        zeroConvRange(p, a.y as F, r);
        return K.conv2d(p, a.x as F, a.w as F, a.bias as F | null, a.y as F, r[0], r[1], r[2], r[3], r[4], r[5], e.scratch);
      },
    ),
  conv2dBackwardData: (e, p, a, r) =>
    pick(
      e,
      (k) => k.conv2dBackwardData(p, a.w as F, a.dy as F, a.dx as F, r[0]!, r[1]!, r[2]!, r[3]!),
      () => K.conv2dBackwardData(p, a.w as F, a.dy as F, a.dx as F, r[0], r[1], r[2], r[3], e.scratch),
    ),
  conv2dBackwardFilter: (e, p, a, r) =>
    pick(
      e,
      (k) => k.conv2dBackwardFilter(p, a.x as F, a.dy as F, a.dw as F, r[0]!, r[1]!, r[2]!, r[3]!),
      () => K.conv2dBackwardFilter(p, a.x as F, a.dy as F, a.dw as F, r[0], r[1], r[2], r[3], e.scratch),
    ),
  conv2dBackwardBias: (_e, p, a, r) => K.conv2dBackwardBias(p, a.dy as F, a.db as F, r[0], r[1]),
  maxpool2d: (e, p, a, r) =>
    pick(
      e,
      (k) => k.maxpool2d(p, a.x as F, a.y as F, a.indices as Int32Array, r[0]!, r[1]!),
      () => K.maxpool2d(p, a.x as F, a.y as F, a.indices as Int32Array, r[0], r[1]),
    ),
  maxpool2dBackward: (_e, p, a, r) => K.maxpool2dBackward(p, a.dy as F, a.indices as Int32Array, a.dx as F, r[0], r[1]),
  sgd: (_e, p, a, r) => {
    // writes the step into fresh w2/v2 so a failed op leaves w and v untouched
    const [s, e] = [r[0]!, r[1]!];
    (a.w2 as F).set((a.w as F).subarray(s, e), s);
    (a.v2 as F).set((a.v as F).subarray(s, e), s);
    K.sgd(p, a.w2 as F, a.g as F, a.v2 as F, s, e);
  },
  relu: (_e, _p, a, r) => K.relu(a.x as F, a.y as F, r[0], r[1]),
  reluBackward: (_e, _p, a, r) => K.reluBackward(a.x as F, a.dy as F, a.dx as F, r[0], r[1]),
  softmaxCrossEntropy: (_e, p, a, r) => K.softmaxCrossEntropy(p, a.logits as F, a.labels as Int32Array, a.probs as F, r[0], r[1]),
  softmaxCrossEntropyBackward: (_e, p, a, r) =>
    K.softmaxCrossEntropyBackward(p, a.probs as F, a.labels as Int32Array, a.dlogits as F, r[0], r[1]),
  // the ops of issue 20 (each task owns whole output elements, see ops/<op>.ts): avgpool2d and
  // globalAvgPool2d have wasm versions, the others run js in both kernel sets
  batchNorm2d: (_e, p, a, r) =>
    K.batchNorm2d(p, a.x as F, a.gamma as F | null, a.beta as F | null, a.rm as F | null, a.rv as F | null, a.y as F, a.newRm as F | null, a.newRv as F | null, r[0]!, r[1]!),
  batchNorm2dBackward: (_e, p, a, r) =>
    K.batchNorm2dBackward(p, a.x as F, a.dy as F, a.gamma as F | null, a.dx as F, a.dgamma as F, a.dbeta as F, r[0]!, r[1]!),
  add: (_e, p, a, r) => K.broadcastBinary('add', p, a.a as F, a.b as F, a.y as F, r[0], r[1]),
  sub: (_e, p, a, r) => K.broadcastBinary('sub', p, a.a as F, a.b as F, a.y as F, r[0], r[1]),
  mul: (_e, p, a, r) => K.broadcastBinary('mul', p, a.a as F, a.b as F, a.y as F, r[0], r[1]),
  sumToShape: (_e, p, a, r) => K.sumToShape(p, a.x as F, a.y as F, r[0]!, r[1]!),
  globalAvgPool2d: (e, p, a, r) =>
    pick(
      e,
      (k) => k.globalAvgPool2d(p, a.x as F, a.y as F, r[0]!, r[1]!),
      () => K.globalAvgPool2d(p, a.x as F, a.y as F, r[0], r[1]),
    ),
  globalAvgPool2dBackward: (_e, p, a, r) => K.globalAvgPool2dBackward(p, a.dy as F, a.dx as F, r[0], r[1]),
  avgpool2d: (e, p, a, r) =>
    pick(
      e,
      (k) => k.avgpool2d(p, a.x as F, a.y as F, r[0]!, r[1]!),
      () => K.avgpool2d(p, a.x as F, a.y as F, K.avgpoolDivisors(p), r[0], r[1]),
    ),
  avgpool2dBackward: (_e, p, a, r) => {
    // windows add into dx (a recycled buffer may hold old values): clear this task's planes first
    const HW = p.inH * p.inW;
    (a.dx as F).fill(0, r[0]! * HW, r[1]! * HW);
    K.avgpool2dBackward(p, a.dy as F, a.dx as F, K.avgpoolDivisors(p), r[0], r[1]);
  },
  softmax: (_e, p, a, r) => K.softmaxAxis(p, a.x as F, a.y as F, false, r[0], r[1]),
  softmaxBackward: (_e, p, a, r) => K.softmaxAxisBackward(p, a.y as F, a.dy as F, a.dx as F, false, r[0], r[1]),
  logSoftmax: (_e, p, a, r) => K.softmaxAxis(p, a.x as F, a.y as F, true, r[0], r[1]),
  logSoftmaxBackward: (_e, p, a, r) => K.softmaxAxisBackward(p, a.y as F, a.dy as F, a.dx as F, true, r[0], r[1]),
} satisfies { readonly [N in KernelName]?: RangeKernel };

/** The range kernels the worker table has. */
export type TableKernelName = keyof typeof RANGE_KERNELS;

/** One thread's range kernels (the worker's, or the main thread's with `hostThread`). */
export interface RangeKernels {
  /** Runs one task's kernel; returns its value (if any) and which kernel set ran ('wasm' | 'js', for kernels with both). */
  run(kernel: KernelName, p: unknown, a: KernelArgs, r: number[]): { value: number | void; via: 'wasm' | 'js' | undefined };
}

/** The range kernels of one thread: the wasm SIMD versions when `wk` is given (and takes the range), else backend-js's. */
export function createRangeKernels(wk: WorkerWasmKernels | null): RangeKernels {
  const env: Env = { scratch: K.createScratch(), wk, via: undefined };
  const table: { readonly [N in KernelName]?: RangeKernel } = RANGE_KERNELS;
  return {
    run(kernel, p, a, r) {
      const fn = Object.prototype.hasOwnProperty.call(table, kernel) ? table[kernel] : undefined;
      if (!fn) throw new Error(`unknown kernel '${kernel}'`);
      env.via = undefined;
      const value = fn(env, p, a, r);
      return { value, via: env.via };
    },
  };
}

/** Zeroes y[n0:n1, k0:k1, oy0:oy1, :] (conv2d output [N, K, outH, outW], r = conv2d's ranges). */
function zeroConvRange(p: { K: number; outH: number; outW: number }, y: F, r: number[]): void {
  const [n0, n1, k0, k1, oy0, oy1] = r as [number, number, number, number, number, number];
  for (let n = n0; n < n1; n++) {
    for (let k = k0; k < k1; k++) {
      const base = (n * p.K + k) * p.outH * p.outW;
      y.fill(0, base + oy0 * p.outW, base + oy1 * p.outW);
    }
  }
}

