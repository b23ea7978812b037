import type { DataId, GemmParams } from '@convkit/core';
import type { WasmRuntime } from '../runtime.js';
import { gemm as gemmDriver, gemmWorkspaceBytes } from '../drivers/gemm.js';

export function gemm(r: WasmRuntime, a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams): DataId {
  const out = r.s.f32(p.m * p.n);
  const ws = r.ws(gemmWorkspaceBytes(r.k));
  gemmDriver(r.k, p, r.s.ptr(a), r.s.ptr(b), c ? r.s.ptr(c) : 0, bias ? r.s.ptr(bias) : 0, out.ptr, 0, p.m, ws);
  return out;
}
