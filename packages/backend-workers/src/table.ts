/**
 * The range kernels a task names (KernelName), with the arguments in backend-js's order
 * (KERNELS.md): the WebAssembly SIMD version when a WorkerWasmKernels is given and it takes the
 * range, else @convkit/backend-js's raw kernel. Used by the worker script and, with the
 * `hostThread` option, by the main thread for its own share of an op.
 */
import * as K from '@convkit/backend-js/kernels';
import type { KernelName } from './protocol.js';
import type { WorkerWasmKernels } from './wasm.js';

type Arr = Float32Array | Int32Array;
type F = Float32Array;
export type KernelArgs = Record<string, Arr | null>;

export interface KernelTable {
  /** Runs one task's kernel; returns its value (if any) and which kernel set ran ('wasm' | 'js', for kernels with both). */
  run(kernel: KernelName, p: unknown, a: KernelArgs, r: number[]): { value: number | void; via: 'wasm' | 'js' | undefined };
}

export function createKernelTable(wk: WorkerWasmKernels | null): KernelTable {
  const scratch = K.createScratch();
  let via: 'wasm' | 'js' | undefined;
  /** Runs `wasm` when the wasm kernels are on and it takes the range, else `js`; records which ran. */
  const pick = (wasm: ((k: WorkerWasmKernels) => boolean) | null, js: () => number | void): number | void => {
    if (wk && wasm && wasm(wk)) {
      via = 'wasm';
      return;
    }
    via = 'js';
    return js();
  };
  /** Each kernel's call with the arguments in backend-js's order (KERNELS.md). */
  const TABLE: Record<KernelName, (p: any, a: KernelArgs, r: number[]) => number | void> = {
    gemm: (p, a, r) =>
      pick(
        (k) => k.gemm(p, a.a as F, a.b as F, a.c0 as F | null, a.bias as F | null, a.out as F, r[0]!, r[1]!, r[2]!, r[3]!),
        () => K.gemm(p, a.a as F, a.b as F, a.c0 as F | null, a.bias as F | null, a.out as F, r[0], r[1], r[2], r[3], scratch),
      ),
    im2col: (p, a, r) => K.im2col(p, a.x as F, a.cols as F, r[0], r[1], r[2], r[3]),
    col2im: (p, a, r) => K.col2im(p, a.cols as F, a.dx as F, r[0], r[1], r[2], r[3]),
    conv2d: (p, a, r) =>
      pick(
        (k) => k.conv2d(p, a.x as F, a.w as F, a.bias as F | null, a.y as F, r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!),
        () => {
          // the output may be a recycled buffer: clear the range for a kernel that accumulates
          zeroConvRange(p, a.y as F, r);
          return K.conv2d(p, a.x as F, a.w as F, a.bias as F | null, a.y as F, r[0], r[1], r[2], r[3], r[4], r[5], scratch);
        },
      ),
    conv2dBackwardData: (p, a, r) =>
      pick(
        (k) => k.conv2dBackwardData(p, a.w as F, a.dy as F, a.dx as F, r[0]!, r[1]!, r[2]!, r[3]!),
        () => K.conv2dBackwardData(p, a.w as F, a.dy as F, a.dx as F, r[0], r[1], r[2], r[3], scratch),
      ),
    conv2dBackwardFilter: (p, a, r) =>
      pick(
        (k) => k.conv2dBackwardFilter(p, a.x as F, a.dy as F, a.dw as F, r[0]!, r[1]!, r[2]!, r[3]!),
        () => K.conv2dBackwardFilter(p, a.x as F, a.dy as F, a.dw as F, r[0], r[1], r[2], r[3], scratch),
      ),
    conv2dBackwardBias: (p, a, r) => K.conv2dBackwardBias(p, a.dy as F, a.db as F, r[0], r[1]),
    maxpool2d: (p, a, r) =>
      pick(
        (k) => k.maxpool2d(p, a.x as F, a.y as F, a.indices as Int32Array, r[0]!, r[1]!),
        () => K.maxpool2d(p, a.x as F, a.y as F, a.indices as Int32Array, r[0], r[1]),
      ),
    maxpool2dBackward: (p, a, r) => K.maxpool2dBackward(p, a.dy as F, a.indices as Int32Array, a.dx as F, r[0], r[1]),
    sgd: (p, a, r) => {
      // writes the step into fresh w2/v2 so a failed op leaves w and v untouched
      const [s, e] = [r[0]!, r[1]!];
      (a.w2 as F).set((a.w as F).subarray(s, e), s);
      (a.v2 as F).set((a.v as F).subarray(s, e), s);
      K.sgd(p, a.w2 as F, a.g as F, a.v2 as F, s, e);
    },
    relu: (_p, a, r) => K.relu(a.x as F, a.y as F, r[0], r[1]),
    reluBackward: (_p, a, r) => K.reluBackward(a.x as F, a.dy as F, a.dx as F, r[0], r[1]),
    softmaxCrossEntropy: (p, a, r) => K.softmaxCrossEntropy(p, a.logits as F, a.labels as Int32Array, a.probs as F, r[0], r[1]),
    softmaxCrossEntropyBackward: (p, a, r) =>
      K.softmaxCrossEntropyBackward(p, a.probs as F, a.labels as Int32Array, a.dlogits as F, r[0], r[1]),
  };
  return {
    run(kernel, p, a, r) {
      const fn = TABLE[kernel];
      if (!fn) throw new Error(`unknown kernel '${kernel}'`);
      via = undefined;
      const value = fn(p, a, r);
      return { value, via };
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

