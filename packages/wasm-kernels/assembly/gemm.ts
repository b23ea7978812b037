// Packed single-precision GEMM with a 4x8 f32x4 register tile (mul + add: wasm SIMD has no FMA).
//
//   C[i, j] = alpha * sum_l opA(i, l) * opB(l, j) + beta * C[i, j]        (beta == 0: C is not read)
//
// Operands are described by element strides, so transposes are free:
//   opA(i, l) = f32 at a + 4 * (i * rsA + l * csA)
//   opB(l, j) = f32 at b + 4 * (l * rsB + j * csB)
//   C(i, j)   = f32 at c + 4 * (i * ldc + j)
//
// Blocking (GotoBLAS order): jc over NC columns (packed B block kc x nc, lives in L2/L3),
// pc over KC depth, ic over MC rows (packed A block mc x kc, L2), then MR x NR micro-tiles.
// The micro-kernel keeps 8 f32x4 accumulators + 2 B vectors (+ A as a memory operand: the packed
// A panel stores every element pre-broadcast to 4 lanes, so no load+shuffle per element).
// x86-64 has 16 XMM registers and V8 keeps one as scratch. Measured under V8 (Node 20, process CPU
// time, 64x4096x288 / 256^3 / 128x1024x64): 4x8 with pre-broadcast A ~29/32/29 GFLOP/s per core;
// 4x8 with load32_splat ~27/29/27; 5x8 ~18; 6x8 ~21 (spills, with either A form); 4x8 with the depth
// loop unrolled x2/x4 ~20 (spills). So 4x8, pre-broadcast A, not unrolled.
//
// Workspace `ws` (16-byte aligned, GEMM_WS_BYTES bytes) holds the packed panels; it belongs to the
// caller (one per thread). The kernel has no global state, so any number of instances may run on
// one shared memory at once, each with its own workspace and disjoint C blocks.

export const MR: i32 = 4;
export const NR: i32 = 8;
export const KC: i32 = 256;
export const MC: i32 = 80; // multiple of MR
export const NC: i32 = 1024; // multiple of NR

const PACK_A_FLOATS: i32 = MC * KC * 4; // pre-broadcast: 4 floats per element
const PACK_B_FLOATS: i32 = KC * NC;
const TILE_FLOATS: i32 = MR * NR;
export const GEMM_WS_BYTES: i32 = (PACK_A_FLOATS + PACK_B_FLOATS + TILE_FLOATS) * 4 + 64;

/** Bytes of workspace sgemm needs. */
export function gemmWorkspaceBytes(): i32 {
  return GEMM_WS_BYTES;
}

// Packs rows [i0, i0+mc) x depth [p0, p0+kc) of opA into MR-row strips, each element stored
// PRE-BROADCAST as an f32x4 (16 bytes): strip s, depth p, row r at dst + ((s*kc + p)*MR + r)*16;
// rows past mc are zero. The micro-kernel then multiplies by a plain v128 load (a memory operand)
// instead of a load+shuffle broadcast, which would compete with mul/add for the FP pipes.
function packA(a: usize, rsA: i32, csA: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let s = 0; s < mc; s += MR) {
    const mr = min(MR, mc - s);
    let d = dst + <usize>(s * kc * 16);
    if (mr == MR) {
      const q0 = a + <usize>(((i0 + s) * rsA + p0 * csA) * 4);
      const rs = <usize>(rsA * 4);
      const cs = <usize>(csA * 4);
      for (let p = 0; p < kc; p++) {
        const q = q0 + <usize>(p) * cs;
        v128.store(d, v128.load32_splat(q));
        v128.store(d, v128.load32_splat(q + rs), 16);
        v128.store(d, v128.load32_splat(q + 2 * rs), 32);
        v128.store(d, v128.load32_splat(q + 3 * rs), 48);
        d += <usize>(MR * 16);
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          let v: f32 = 0;
          if (r < mr) v = load<f32>(a + <usize>(((i0 + s + r) * rsA + (p0 + p) * csA) * 4));
          v128.store(d + <usize>(r * 16), f32x4.splat(v));
        }
        d += <usize>(MR * 16);
      }
    }
  }
}

// Packs depth [p0, p0+kc) x columns [j0, j0+nc) of opB into NR-column strips: strip t, depth p,
// column q at dst[(t*kc + p)*NR + q]; columns past nc are zero.
function packB(b: usize, rsB: i32, csB: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let t = 0; t < nc; t += NR) {
    const nr = min(NR, nc - t);
    let d = dst + <usize>(t * kc * 4);
    if (nr == NR && csB == 1) {
      let q = b + <usize>((p0 * rsB + j0 + t) * 4);
      const step = <usize>(rsB * 4);
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(q));
        v128.store(d, v128.load(q, 16), 16);
        q += step;
        d += 32;
      }
    } else if (nr == NR && rsB == 1) {
      // B stored transposed (contiguous along the depth: dW = dy * im2col^T): 4 depths x 8 columns
      // per step as 8 vector loads and two 4x4 in-register transposes, not 32 scalar loads
      const cs = <usize>(csB * 4);
      const q0 = b + <usize>(((j0 + t) * csB + p0) * 4);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const q = q0 + <usize>(p * 4);
        const v0 = v128.load(q), v1 = v128.load(q + cs), v2 = v128.load(q + 2 * cs), v3 = v128.load(q + 3 * cs);
        const v4 = v128.load(q + 4 * cs), v5 = v128.load(q + 5 * cs), v6 = v128.load(q + 6 * cs), v7 = v128.load(q + 7 * cs);
        let t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
        let t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
        v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
        v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
        v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
        t0 = v128.shuffle<f32>(v4, v5, 0, 4, 1, 5); t1 = v128.shuffle<f32>(v4, v5, 2, 6, 3, 7);
        t2 = v128.shuffle<f32>(v6, v7, 0, 4, 1, 5); t3 = v128.shuffle<f32>(v6, v7, 2, 6, 3, 7);
        v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), 16);
        v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 48);
        v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 80);
        v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 112);
        d += 128;
      }
      for (; p < kc; p++) {
        const q = q0 + <usize>(p * 4);
        for (let c = 0; c < NR; c++) store<f32>(d + <usize>(c * 4), load<f32>(q + <usize>(c) * cs));
        d += 32;
      }
    } else if (nr == NR) {
      const step = <usize>(csB * 4);
      for (let p = 0; p < kc; p++) {
        const q = b + <usize>(((p0 + p) * rsB + (j0 + t) * csB) * 4);
        store<f32>(d, load<f32>(q));
        store<f32>(d, load<f32>(q + step), 4);
        store<f32>(d, load<f32>(q + 2 * step), 8);
        store<f32>(d, load<f32>(q + 3 * step), 12);
        store<f32>(d, load<f32>(q + 4 * step), 16);
        store<f32>(d, load<f32>(q + 5 * step), 20);
        store<f32>(d, load<f32>(q + 6 * step), 24);
        store<f32>(d, load<f32>(q + 7 * step), 28);
        d += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let q = 0; q < NR; q++) {
          let v: f32 = 0;
          if (q < nr) v = load<f32>(b + <usize>(((p0 + p) * rsB + (j0 + t + q) * csB) * 4));
          store<f32>(d + <usize>(q * 4), v);
        }
        d += 32;
      }
    }
  }
}

// acc = alpha*acc + beta*old   (beta == 0: old is not read, so garbage/NaN in C is ignored)
// @ts-ignore: decorator
@inline
function merge(ptr: usize, acc: v128, alpha: v128, beta: f32, scaled: bool): void {
  let v = scaled ? f32x4.mul(acc, alpha) : acc;
  if (beta == 1) v = f32x4.add(v, v128.load(ptr));
  else if (beta != 0) v = f32x4.add(v, f32x4.mul(v128.load(ptr), f32x4.splat(beta)));
  v128.store(ptr, v);
}

// One MR x NR tile over kc depth (depth loop unrolled by 1). Writes to (c, ldcBytes) with merge().
function micro(kc: i32, pa: usize, pb: usize, c: usize, ldcBytes: usize, alpha: f32, beta: f32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let b0: v128, b1: v128, a: v128;
  let p = 0;
  for (; p < kc; p++) {
    b0 = v128.load(pb, 0);
    b1 = v128.load(pb, 16);
    a = v128.load(pa, 0);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load(pa, 16);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load(pa, 32);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load(pa, 48);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += 64;
    pb += 32;
  }
  const al = f32x4.splat(alpha);
  const scaled = alpha != 1;
  merge(c, c00, al, beta, scaled);
  merge(c + 16, c01, al, beta, scaled);
  c += ldcBytes;
  merge(c, c10, al, beta, scaled);
  merge(c + 16, c11, al, beta, scaled);
  c += ldcBytes;
  merge(c, c20, al, beta, scaled);
  merge(c + 16, c21, al, beta, scaled);
  c += ldcBytes;
  merge(c, c30, al, beta, scaled);
  merge(c + 16, c31, al, beta, scaled);
}

/**
 * C = alpha * opA * opB + beta * C for an m x n block (see the header for the operand layout).
 * ws: GEMM_WS_BYTES of 16-byte aligned scratch owned by the calling thread.
 */
export function sgemm(
  m: i32, n: i32, k: i32, alpha: f32,
  a: usize, rsA: i32, csA: i32,
  b: usize, rsB: i32, csB: i32,
  beta: f32, c: usize, ldc: i32,
  ws: usize,
): void {
  if (m <= 0 || n <= 0) return;
  const pA = (ws + 15) & ~(<usize>15);
  const pB = pA + <usize>(PACK_A_FLOATS * 4);
  const tile = pB + <usize>(PACK_B_FLOATS * 4);
  const ldcBytes = <usize>(ldc * 4);
  if (k <= 0 || alpha == 0) {
    // C = beta * C
    for (let i = 0; i < m; i++) {
      const row = c + <usize>(i * ldc * 4);
      for (let j = 0; j < n; j++) {
        const q = row + <usize>(j * 4);
        store<f32>(q, beta == 0 ? <f32>0 : beta * load<f32>(q));
      }
    }
    return;
  }
  // balanced depth blocks of at most KC
  const kBlocks = (k + KC - 1) / KC;
  const kcStep = (((k + kBlocks - 1) / kBlocks) + 3) & ~3;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kcStep) {
      const kc = min(kcStep, k - pc);
      const bet: f32 = pc == 0 ? beta : 1;
      packB(b, rsB, csB, pc, kc, jc, nc, pB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(a, rsA, csA, ic, mc, pc, kc, pA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = pB + <usize>(jr * kc * 4);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pa = pA + <usize>(ir * kc * 16);
            const cij = c + <usize>(((ic + ir) * ldc + jc + jr) * 4);
            if (mr == MR && nr == NR) {
              micro(kc, pa, pb, cij, ldcBytes, alpha, bet);
            } else {
              micro(kc, pa, pb, tile, <usize>(NR * 4), alpha, 0);
              for (let r = 0; r < mr; r++) {
                for (let q = 0; q < nr; q++) {
                  const dst = cij + <usize>(r * ldc * 4 + q * 4);
                  let v = load<f32>(tile + <usize>((r * NR + q) * 4));
                  if (bet == 1) v += load<f32>(dst);
                  else if (bet != 0) v += bet * load<f32>(dst);
                  store<f32>(dst, v);
                }
              }
            }
          }
        }
      }
    }
  }
}

/** C[i, j] += bias[j] for an m x n block with row stride ldc (the gemm op's bias). */
export function addBiasCols(c: usize, m: i32, n: i32, ldc: i32, bias: usize): void {
  for (let i = 0; i < m; i++) {
    const row = c + <usize>(i * ldc * 4);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const q = row + <usize>(j * 4);
      v128.store(q, f32x4.add(v128.load(q), v128.load(bias + <usize>(j * 4))));
    }
    for (; j < n; j++) {
      const q = row + <usize>(j * 4);
      store<f32>(q, load<f32>(q) + load<f32>(bias + <usize>(j * 4)));
    }
  }
}

/** C[i, j] += bias[i] for an m x n block with row stride ldc (conv bias per output channel). */
export function addBiasRows(c: usize, m: i32, n: i32, ldc: i32, bias: usize): void {
  for (let i = 0; i < m; i++) {
    const row = c + <usize>(i * ldc * 4);
    const bv = load<f32>(bias + <usize>(i * 4));
    const bs = f32x4.splat(bv);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const q = row + <usize>(j * 4);
      v128.store(q, f32x4.add(v128.load(q), bs));
    }
    for (; j < n; j++) {
      const q = row + <usize>(j * 4);
      store<f32>(q, load<f32>(q) + bv);
    }
  }
}

/**
 * Splits a K x (cnt*L) GEMM result (row stride ld) of cnt images laid side by side into cnt
 * images of K x L at y (image j at y + j*K*L floats), adding bias[k] (0 = none) on the way.
 */
export function splitImages(tmp: usize, ld: i32, K: i32, L: i32, cnt: i32, y: usize, bias: usize): void {
  for (let j = 0; j < cnt; j++) {
    for (let k = 0; k < K; k++) {
      const src = tmp + <usize>((k * ld + j * L) * 4);
      const dst = y + <usize>(((j * K + k) * L) * 4);
      const b = bias ? load<f32>(bias + <usize>(k * 4)) : <f32>0;
      const bv = f32x4.splat(b);
      let i = 0;
      for (; i + 4 <= L; i += 4) v128.store(dst + <usize>(i * 4), f32x4.add(v128.load(src + <usize>(i * 4)), bv));
      for (; i < L; i++) store<f32>(dst + <usize>(i * 4), load<f32>(src + <usize>(i * 4)) + b);
    }
  }
}
