import type { GemmParams } from '@convkit/core';
import type { Scratch } from './scratch.js';
import { sgemm } from './sgemm.js';

/**
 * The `gemm` op over a block of C: out = alpha * op(A) * op(B) + beta * c0 + bias.
 * A is [m,k] ([k,m] if transA), B is [k,n] ([n,k] if transB), c0 and out are [m,n], bias is [n].
 * Writes out[i, j] for i in [rowStart,rowEnd), j in [colStart,colEnd) only. out may alias c0.
 */
export function gemm(
  p: GemmParams,
  a: Float32Array,
  b: Float32Array,
  c0: Float32Array | null,
  bias: Float32Array | null,
  out: Float32Array,
  rowStart = 0,
  rowEnd = p.m,
  colStart = 0,
  colEnd = p.n,
  scratch?: Scratch,
): void {
  const { m, n, k, transA, transB, alpha } = p;
  const beta = c0 ? p.beta : 0;
  const rows = rowEnd - rowStart;
  const cols = colEnd - colStart;
  if (rows <= 0 || cols <= 0) return;
  if (beta !== 0 && c0 !== out) {
    for (let i = rowStart; i < rowEnd; i++) {
      const o = i * n;
      for (let j = colStart; j < colEnd; j++) out[o + j] = c0![o + j]!;
    }
  }
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const aOff = transA ? rowStart : rowStart * lda;
  const bOff = transB ? colStart * ldb : colStart;
  sgemm(rows, cols, k, alpha, a, aOff, lda, transA, b, bOff, ldb, transB, beta, out, rowStart * n + colStart, n, scratch);
  if (bias) {
    for (let i = rowStart; i < rowEnd; i++) {
      const o = i * n;
      for (let j = colStart; j < colEnd; j++) out[o + j] = out[o + j]! + bias[j]!;
    }
  }
}
