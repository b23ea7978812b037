import type { GemmParams } from '@convkit/core';
import type { WasmKernels } from '@convkit/wasm-kernels';
import { f32, type Workspace } from './workspace.js';

export function gemmWorkspaceBytes(k: WasmKernels): number {
  return k.gemmWorkspaceBytes + 64;
}

/**
 * The gemm op for rows [rowStart, rowEnd) of out [m, n]: out = alpha*op(A)*op(B) + beta*C0 + bias.
 * a [m,k] ([k,m] if transA), b [k,n] ([n,k] if transB), c0 [m,n] or 0, bias [n] or 0. out may equal c0.
 */
export function gemm(
  k: WasmKernels,
  p: GemmParams,
  a: number,
  b: number,
  c0: number,
  bias: number,
  out: number,
  rowStart: number,
  rowEnd: number,
  ws: Workspace,
): void {
  const { m, n, transA, transB } = p;
  const rows = rowEnd - rowStart;
  if (rows <= 0 || n <= 0) return;
  let beta = p.beta;
  if (c0 && beta !== 0) {
    if (c0 !== out) f32(k, out + rowStart * n * 4, rows * n).set(f32(k, c0 + rowStart * n * 4, rows * n));
  } else beta = 0;
  const [rsA, csA] = transA ? [1, m] : [p.k, 1];
  const [rsB, csB] = transB ? [1, p.k] : [n, 1];
  k.exports.sgemm(
    rows, n, p.k, p.alpha,
    a + rowStart * rsA * 4, rsA, csA,
    b, rsB, csB,
    beta, out + rowStart * n * 4, n, ws.ptr,
  );
  if (bias) k.exports.addBiasCols(out + rowStart * n * 4, rows, n, n, bias);
}
