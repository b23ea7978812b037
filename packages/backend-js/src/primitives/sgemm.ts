import type { Scratch } from './scratch.js';

/** Register tile: MR rows of C by NR columns. */
export const MR = 4;
export const NR = 4;
/** Cache blocking: depth of a packed panel, rows of a packed A block, columns of a packed B block. */
const KC = 384;
const MC = 96;
const NC = 2048;

/**
 * Packs op(A)[i0 .. i0+mc, l0 .. l0+kc] into MR-row strips: dst[(s*kc + l)*MR + r]; rows past mc are 0.
 */
function packA(
  a: Float32Array,
  aOff: number,
  lda: number,
  transA: boolean,
  i0: number,
  mc: number,
  l0: number,
  kc: number,
  dst: Float32Array,
): void {
  const strips = Math.ceil(mc / MR);
  for (let s = 0; s < strips; s++) {
    const base = s * kc * MR;
    for (let r = 0; r < MR; r++) {
      const i = s * MR + r;
      if (i >= mc) {
        for (let l = 0; l < kc; l++) dst[base + l * MR + r] = 0;
      } else if (!transA) {
        let p = aOff + (i0 + i) * lda + l0;
        for (let l = 0; l < kc; l++) dst[base + l * MR + r] = a[p++]!;
      } else {
        let p = aOff + l0 * lda + i0 + i;
        for (let l = 0; l < kc; l++, p += lda) dst[base + l * MR + r] = a[p]!;
      }
    }
  }
}

/**
 * Packs op(B)[l0 .. l0+kc, j0 .. j0+nc] into NR-column strips: dst[(s*kc + l)*NR + c]; columns past nc are 0.
 */
function packB(
  b: Float32Array,
  bOff: number,
  ldb: number,
  transB: boolean,
  l0: number,
  kc: number,
  j0: number,
  nc: number,
  dst: Float32Array,
): void {
  const strips = Math.ceil(nc / NR);
  for (let s = 0; s < strips; s++) {
    const base = s * kc * NR;
    const jb = s * NR;
    const w = Math.min(NR, nc - jb);
    if (!transB) {
      let p = bOff + l0 * ldb + j0 + jb;
      if (w === NR) {
        for (let l = 0; l < kc; l++, p += ldb) {
          const d = base + l * NR;
          dst[d] = b[p]!;
          dst[d + 1] = b[p + 1]!;
          dst[d + 2] = b[p + 2]!;
          dst[d + 3] = b[p + 3]!;
        }
      } else {
        for (let l = 0; l < kc; l++, p += ldb) {
          const d = base + l * NR;
          for (let c = 0; c < NR; c++) dst[d + c] = c < w ? b[p + c]! : 0;
        }
      }
    } else {
      for (let c = 0; c < NR; c++) {
        if (c >= w) {
          for (let l = 0; l < kc; l++) dst[base + l * NR + c] = 0;
        } else {
          let p = bOff + (j0 + jb + c) * ldb + l0;
          for (let l = 0; l < kc; l++) dst[base + l * NR + c] = b[p++]!;
        }
      }
    }
  }
}

const edge = new Float64Array(MR * NR);

/**
 * Strided single-precision GEMM (BLAS-style):
 *   c[cOff + i*ldc + j] = alpha * sum_l op(A)(i,l) * op(B)(l,j) + beta * c[cOff + i*ldc + j]
 * for i < m, j < n. op(A)(i,l) = transA ? a[aOff + l*lda + i] : a[aOff + i*lda + l];
 * op(B)(l,j) = transB ? b[bOff + j*ldb + l] : b[bOff + l*ldb + j]. beta = 0 never reads c.
 * Packed panels, KC/MC/NC cache blocking and a 4x4 register micro-kernel; sums in float64
 * within a KC block. The summation order of an element does not depend on m, n or its position,
 * so splitting C into blocks gives bit-identical results.
 */
export function sgemm(
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  aOff: number,
  lda: number,
  transA: boolean,
  b: Float32Array,
  bOff: number,
  ldb: number,
  transB: boolean,
  beta: number,
  c: Float32Array,
  cOff: number,
  ldc: number,
  scratch?: Scratch,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha === 0) {
    for (let i = 0; i < m; i++) {
      const p = cOff + i * ldc;
      for (let j = 0; j < n; j++) c[p + j] = beta === 0 ? 0 : beta * c[p + j]!;
    }
    if (k <= 0 || alpha === 0) return;
  }
  // Balanced depth blocks (e.g. k = 576 -> 2 x 288, not 384 + 192) so no block is a short tail.
  const kBlocks = Math.ceil(k / KC);
  const kcMax = Math.ceil(k / kBlocks);
  const ncMax = Math.min(NC, n);
  const mcMax = Math.min(MC, m);
  const bSize = kcMax * Math.ceil(ncMax / NR) * NR;
  const aSize = kcMax * Math.ceil(mcMax / MR) * MR;
  const bp = scratch ? scratch.f32('sgemm.B', bSize) : new Float32Array(bSize);
  const ap = scratch ? scratch.f32('sgemm.A', aSize) : new Float32Array(aSize);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = Math.min(kcMax, k - pc);
      const beta0 = pc === 0 ? beta : 1;
      packB(b, bOff, ldb, transB, pc, kc, jc, nc, bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, aOff, lda, transA, ic, mc, pc, kc, ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const bi = (jr / NR) * kc * NR;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            // 4x4 register micro-kernel, inlined (a separate function costs ~15% in V8): 16 float64
            // accumulators + 8 operands fit the x64 XMM registers better than 4x8 (measured ~20%).
            let ai = (ir / MR) * kc * MR;
            let bj = bi;
            let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
            let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
            let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
            let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
            for (let l = 0; l < kc; l++, ai += MR, bj += NR) {
              const a0 = ap[ai]!, a1 = ap[ai + 1]!, a2 = ap[ai + 2]!, a3 = ap[ai + 3]!;
              const b0 = bp[bj]!, b1 = bp[bj + 1]!, b2 = bp[bj + 2]!, b3 = bp[bj + 3]!;
              c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
              c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
              c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
              c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            let p = cOff + (ic + ir) * ldc + jc + jr;
            if (mr === MR && nr === NR && beta0 === 0) {
              c[p] = alpha * c00; c[p + 1] = alpha * c01; c[p + 2] = alpha * c02; c[p + 3] = alpha * c03;
              p += ldc;
              c[p] = alpha * c10; c[p + 1] = alpha * c11; c[p + 2] = alpha * c12; c[p + 3] = alpha * c13;
              p += ldc;
              c[p] = alpha * c20; c[p + 1] = alpha * c21; c[p + 2] = alpha * c22; c[p + 3] = alpha * c23;
              p += ldc;
              c[p] = alpha * c30; c[p + 1] = alpha * c31; c[p + 2] = alpha * c32; c[p + 3] = alpha * c33;
            } else {
              const e = edge;
              e[0] = c00; e[1] = c01; e[2] = c02; e[3] = c03;
              e[4] = c10; e[5] = c11; e[6] = c12; e[7] = c13;
              e[8] = c20; e[9] = c21; e[10] = c22; e[11] = c23;
              e[12] = c30; e[13] = c31; e[14] = c32; e[15] = c33;
              for (let r = 0; r < mr; r++) {
                const q = p + r * ldc;
                for (let j = 0; j < nr; j++) {
                  c[q + j] = beta0 === 0 ? alpha * e[r * NR + j]! : alpha * e[r * NR + j]! + beta0 * c[q + j]!;
                }
              }
            }
          }
        }
      }
    }
  }
}
