import type { DataId, GemmParams } from '@convkit/core';
import type { JsStorage } from '../storage.js';
import type { Scratch } from '../kernels/scratch.js';
import { gemm as gemmKernel } from '../kernels/gemm.js';

export function gemm(s: JsStorage, scratch: Scratch, a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams): DataId {
  const out = s.f32(p.m * p.n);
  gemmKernel(p, s.f(a), s.f(b), c ? s.f(c) : null, bias ? s.f(bias) : null, out.values as Float32Array, 0, p.m, 0, p.n, scratch);
  return out;
}
