import type { DataId, GemmParams } from '@convkit/core';
import type { JsRuntime } from '../runtime.js';
import { gemm as gemmKernel } from '../primitives/gemm.js';

export function gemm(rt: JsRuntime, a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams): DataId {
  const s = rt.s;
  const out = s.f32(p.m * p.n);
  gemmKernel(p, s.f(a), s.f(b), c ? s.f(c) : null, bias ? s.f(bias) : null, out.values as Float32Array, 0, p.m, 0, p.n, rt.scratch);
  return out;
}
