import type { Conv2dParams } from '@convkit/core';
import type { Scratch } from './scratch.js';
import { sgemm } from './sgemm.js';
import { padIndex } from '@convkit/core/geometry';

/** Target floats of one tile chunk (transformed inputs + products) so a chunk stays cache-resident. */
const CHUNK_FLOATS = 1 << 18;

/**
 * Whether conv2d uses Winograd F(2x2, 3x3): 3x3 kernel, stride 1, dilation 1, and enough channels
 * per group for the 16 small GEMMs to pay off. Depends on p only (never on a range), so every
 * partition of the work takes the same path and gets bit-identical results.
 */
export function useWinograd(p: Conv2dParams): boolean {
  const Cg = p.C / p.groups;
  const Kg = p.K / p.groups;
  return (
    p.kH === 3 && p.kW === 3 && p.strideH === 1 && p.strideW === 1 && p.dilationH === 1 && p.dilationW === 1 &&
    Cg >= 8 && Kg >= 8 && p.outH >= 2 && p.outW >= 2
  );
}

/** x[row + col], or 0 for a zero-padded row or column (-1). */
function at(x: Float32Array, row: number, col: number): number {
  return row < 0 || col < 0 ? 0 : x[row + col]!;
}

/** Column map and fast-path tile-column range of the input tiles (shared by forward and dW). */
function tileColumns(p: Conv2dParams, tilesW: number, scratch?: Scratch): { colMap: Int32Array; txLo: number; txHi: number } {
  const { inW, padLeft, padMode } = p;
  const colMap = scratch ? scratch.i32('wino.cols', tilesW * 4) : new Int32Array(tilesW * 4);
  for (let tx = 0; tx < tilesW; tx++) {
    for (let j = 0; j < 4; j++) colMap[tx * 4 + j] = padIndex(2 * tx - padLeft + j, inW, padMode);
  }
  // first and last tile column whose four input columns are all inside the image (fast path)
  let txLo = 0;
  while (txLo < tilesW && 2 * txLo - padLeft < 0) txLo++;
  let txHi = txLo;
  while (txHi < tilesW && 2 * txHi - padLeft + 3 < inW) txHi++;
  return { colMap, txLo, txHi };
}

/**
 * Input transform of channels [xg, xg + cn planes) and tile rows [tr, trEnd):
 * V[xi*cn*T + c*T + t] = (B^T d B)[xi] of the 4x4 input tile d (read through padIndex).
 */
function inputTransform(
  p: Conv2dParams,
  x: Float32Array,
  xg: number,
  cn: number,
  tr: number,
  trEnd: number,
  tilesW: number,
  V: Float32Array,
  T: number,
  colMap: Int32Array,
  txLo: number,
  txHi: number,
): void {
  const { inH, inW, padTop, padLeft, padMode } = p;
  const plane = inH * inW;
  const vs = cn * T;
  for (let cg = 0; cg < cn; cg++) {
    const xc = xg + cg * plane;
    for (let ty = tr; ty < trEnd; ty++) {
      const iyb = 2 * ty - padTop;
      const r0 = padIndex(iyb, inH, padMode), r1 = padIndex(iyb + 1, inH, padMode);
      const r2 = padIndex(iyb + 2, inH, padMode), r3 = padIndex(iyb + 3, inH, padMode);
      const p0 = r0 < 0 ? -1 : xc + r0 * inW, p1 = r1 < 0 ? -1 : xc + r1 * inW;
      const p2 = r2 < 0 ? -1 : xc + r2 * inW, p3 = r3 < 0 ? -1 : xc + r3 * inW;
      const rowsIn = p0 >= 0 && p1 >= 0 && p2 >= 0 && p3 >= 0;
      let t = cg * T + (ty - tr) * tilesW;
      for (let tx = 0; tx < tilesW; tx++, t++) {
        let d00, d01, d02, d03, d10, d11, d12, d13, d20, d21, d22, d23, d30, d31, d32, d33;
        if (rowsIn && tx >= txLo && tx < txHi) {
          const q = 2 * tx - padLeft;
          d00 = x[p0 + q]!; d01 = x[p0 + q + 1]!; d02 = x[p0 + q + 2]!; d03 = x[p0 + q + 3]!;
          d10 = x[p1 + q]!; d11 = x[p1 + q + 1]!; d12 = x[p1 + q + 2]!; d13 = x[p1 + q + 3]!;
          d20 = x[p2 + q]!; d21 = x[p2 + q + 1]!; d22 = x[p2 + q + 2]!; d23 = x[p2 + q + 3]!;
          d30 = x[p3 + q]!; d31 = x[p3 + q + 1]!; d32 = x[p3 + q + 2]!; d33 = x[p3 + q + 3]!;
        } else {
          const m = tx * 4;
          const j0 = colMap[m]!, j1 = colMap[m + 1]!, j2 = colMap[m + 2]!, j3 = colMap[m + 3]!;
          d00 = at(x, p0, j0); d01 = at(x, p0, j1); d02 = at(x, p0, j2); d03 = at(x, p0, j3);
          d10 = at(x, p1, j0); d11 = at(x, p1, j1); d12 = at(x, p1, j2); d13 = at(x, p1, j3);
          d20 = at(x, p2, j0); d21 = at(x, p2, j1); d22 = at(x, p2, j2); d23 = at(x, p2, j3);
          d30 = at(x, p3, j0); d31 = at(x, p3, j1); d32 = at(x, p3, j2); d33 = at(x, p3, j3);
        }
        // B^T d (rows)
        const e00 = d00 - d20, e01 = d01 - d21, e02 = d02 - d22, e03 = d03 - d23;
        const e10 = d10 + d20, e11 = d11 + d21, e12 = d12 + d22, e13 = d13 + d23;
        const e20 = d20 - d10, e21 = d21 - d11, e22 = d22 - d12, e23 = d23 - d13;
        const e30 = d10 - d30, e31 = d11 - d31, e32 = d12 - d32, e33 = d13 - d33;
        // (.) B (columns)
        V[t] = e00 - e02; V[vs + t] = e01 + e02; V[2 * vs + t] = e02 - e01; V[3 * vs + t] = e01 - e03;
        V[4 * vs + t] = e10 - e12; V[5 * vs + t] = e11 + e12; V[6 * vs + t] = e12 - e11; V[7 * vs + t] = e11 - e13;
        V[8 * vs + t] = e20 - e22; V[9 * vs + t] = e21 + e22; V[10 * vs + t] = e22 - e21; V[11 * vs + t] = e21 - e23;
        V[12 * vs + t] = e30 - e32; V[13 * vs + t] = e31 + e32; V[14 * vs + t] = e32 - e31; V[15 * vs + t] = e31 - e33;
      }
    }
  }
}

/**
 * Winograd F(2x2, 3x3) convolution over y[n, k, oy, :] for images [nStart,nEnd), filters
 * [kStart,kEnd), output rows [oyStart,oyEnd) (bias not added). 2.25x fewer multiplications than
 * im2col + GEMM: U = G g G^T per filter/channel, V = B^T d B per 4x4 input tile, 16 GEMMs
 * M = U V (float64 accumulation), Y = A^T M A per 2x2 output tile. Tiles are aligned to even output
 * rows/columns globally, so a range computes the same numbers as the whole. Any pad mode (the input
 * tile is read through padIndex). `w` must already be flipped when p.flip.
 */
export function conv2dWinograd(
  p: Conv2dParams,
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  nStart: number,
  nEnd: number,
  kStart: number,
  kEnd: number,
  oyStart: number,
  oyEnd: number,
  scratch?: Scratch,
): void {
  const { C, K, groups, inH, inW, outH, outW } = p;
  const Cg = C / groups;
  const Kg = K / groups;
  const plane = inH * inW;
  const oplane = outH * outW;
  const tilesW = (outW + 1) >> 1;
  const ty0 = oyStart >> 1;
  const ty1 = (oyEnd + 1) >> 1;
  const g0 = Math.floor(kStart / Kg);
  const g1 = Math.floor((kEnd - 1) / Kg);
  const kMax = Math.min(Kg, kEnd - kStart);
  const rowsPerChunk = Math.max(1, Math.min(ty1 - ty0, Math.floor(CHUNK_FLOATS / (16 * (Cg + kMax) * tilesW))));
  const Tmax = rowsPerChunk * tilesW;
  const f32 = (slot: string, n: number) => (scratch ? scratch.f32(slot, n) : new Float32Array(n));
  const U = f32('wino.U', 16 * kMax * Cg);
  const V = f32('wino.V', 16 * Cg * Tmax);
  const M = f32('wino.M', 16 * kMax * Tmax);
  const { colMap, txLo, txHi } = tileColumns(p, tilesW, scratch);

  for (let g = g0; g <= g1; g++) {
    const ks = Math.max(kStart, g * Kg);
    const ke = Math.min(kEnd, (g + 1) * Kg);
    const km = ke - ks;
    // Filter transform U[xi][(k-ks)*Cg + cg] = (G g G^T)[xi]
    for (let k = ks; k < ke; k++) {
      for (let cg = 0; cg < Cg; cg++) {
        const o = (k * Cg + cg) * 9;
        const w0 = w[o]!, w1 = w[o + 1]!, w2 = w[o + 2]!;
        const w3 = w[o + 3]!, w4 = w[o + 4]!, w5 = w[o + 5]!;
        const w6 = w[o + 6]!, w7 = w[o + 7]!, w8 = w[o + 8]!;
        // G g: 4 rows x 3 columns
        const a0 = w0, a1 = w1, a2 = w2;
        const b0 = 0.5 * (w0 + w3 + w6), b1 = 0.5 * (w1 + w4 + w7), b2 = 0.5 * (w2 + w5 + w8);
        const c0 = 0.5 * (w0 - w3 + w6), c1 = 0.5 * (w1 - w4 + w7), c2 = 0.5 * (w2 - w5 + w8);
        const d0 = w6, d1 = w7, d2 = w8;
        const idx = (k - ks) * Cg + cg;
        const st = km * Cg;
        // (G g) G^T, row by row
        U[idx] = a0; U[st + idx] = 0.5 * (a0 + a1 + a2); U[2 * st + idx] = 0.5 * (a0 - a1 + a2); U[3 * st + idx] = a2;
        U[4 * st + idx] = b0; U[5 * st + idx] = 0.5 * (b0 + b1 + b2); U[6 * st + idx] = 0.5 * (b0 - b1 + b2); U[7 * st + idx] = b2;
        U[8 * st + idx] = c0; U[9 * st + idx] = 0.5 * (c0 + c1 + c2); U[10 * st + idx] = 0.5 * (c0 - c1 + c2); U[11 * st + idx] = c2;
        U[12 * st + idx] = d0; U[13 * st + idx] = 0.5 * (d0 + d1 + d2); U[14 * st + idx] = 0.5 * (d0 - d1 + d2); U[15 * st + idx] = d2;
      }
    }
    for (let n = nStart; n < nEnd; n++) {
      const xg = (n * C + g * Cg) * plane;
      for (let tr = ty0; tr < ty1; tr += rowsPerChunk) {
        const trEnd = Math.min(ty1, tr + rowsPerChunk);
        const T = (trEnd - tr) * tilesW;
        const vs = Cg * T; // stride between the 16 V matrices
        inputTransform(p, x, xg, Cg, tr, trEnd, tilesW, V, T, colMap, txLo, txHi);
        // 16 GEMMs: M[xi] (km x T) = U[xi] (km x Cg) * V[xi] (Cg x T)
        const ms = km * T;
        for (let xi = 0; xi < 16; xi++) {
          sgemm(km, T, Cg, 1, U, xi * km * Cg, Cg, false, V, xi * vs, T, false, 0, M, xi * ms, T, scratch);
        }
        // Output transform Y = A^T M A, writing only rows inside [oyStart, oyEnd) and columns < outW
        for (let kk = 0; kk < km; kk++) {
          const yk = (n * K + ks + kk) * oplane;
          let t = kk * T;
          for (let ty = tr; ty < trEnd; ty++) {
            const oy = 2 * ty;
            const top = oy >= oyStart;
            const bottom = oy + 1 < oyEnd;
            for (let tx = 0; tx < tilesW; tx++, t++) {
              const m00 = M[t]!, m01 = M[ms + t]!, m02 = M[2 * ms + t]!, m03 = M[3 * ms + t]!;
              const m10 = M[4 * ms + t]!, m11 = M[5 * ms + t]!, m12 = M[6 * ms + t]!, m13 = M[7 * ms + t]!;
              const m20 = M[8 * ms + t]!, m21 = M[9 * ms + t]!, m22 = M[10 * ms + t]!, m23 = M[11 * ms + t]!;
              const m30 = M[12 * ms + t]!, m31 = M[13 * ms + t]!, m32 = M[14 * ms + t]!, m33 = M[15 * ms + t]!;
              const s0 = m00 + m10 + m20, s1 = m01 + m11 + m21, s2 = m02 + m12 + m22, s3 = m03 + m13 + m23;
              const u0 = m10 - m20 - m30, u1 = m11 - m21 - m31, u2 = m12 - m22 - m32, u3 = m13 - m23 - m33;
              const ox = 2 * tx;
              const right = ox + 1 < outW;
              if (top) {
                const o = yk + oy * outW + ox;
                y[o] = s0 + s1 + s2;
                if (right) y[o + 1] = s1 - s2 - s3;
              }
              if (bottom) {
                const o = yk + (oy + 1) * outW + ox;
                y[o] = u0 + u1 + u2;
                if (right) y[o + 1] = u1 - u2 - u3;
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Winograd F(2x2, 3x3) weight gradient for filters [kStart,kEnd) and in-group channels
 * [cgStart,cgEnd), summed over the whole batch: dU[xi] = sum over tiles (A dY A^T)[xi] * V[xi]^T
 * (16 GEMMs, float64 accumulation within a block), then dW = G^T dU G. Overwrites
 * dw[k, cg, :, :] of the block (gradient of the weights as used, i.e. of the flipped weights when
 * p.flip; the caller un-flips). The tile chunking depends on p only, so every partition sums in the
 * same order. Any pad mode (the input tiles are read through padIndex, as in the forward pass).
 */
export function conv2dBackwardFilterWinograd(
  p: Conv2dParams,
  x: Float32Array,
  dy: Float32Array,
  dw: Float32Array,
  kStart: number,
  kEnd: number,
  cgStart: number,
  cgEnd: number,
  scratch?: Scratch,
): void {
  const { N, C, K, groups, inH, inW, outH, outW } = p;
  const Cg = C / groups;
  const Kg = K / groups;
  const plane = inH * inW;
  const oplane = outH * outW;
  const tilesW = (outW + 1) >> 1;
  const tilesH = (outH + 1) >> 1;
  const cn = cgEnd - cgStart;
  // chunk of tile rows from p only (not from the ranges): fixed summation blocks
  const rowsPerChunk = Math.max(1, Math.min(tilesH, Math.floor(CHUNK_FLOATS / (16 * (Cg + Kg) * tilesW))));
  const Tmax = rowsPerChunk * tilesW;
  const kMax = Math.min(Kg, kEnd - kStart);
  const f32 = (slot: string, n: number) => (scratch ? scratch.f32(slot, n) : new Float32Array(n));
  const V = f32('wino.V', 16 * cn * Tmax);
  const Y = f32('wino.M', 16 * kMax * Tmax);
  const dU = f32('wino.U', 16 * kMax * cn);
  const { colMap, txLo, txHi } = tileColumns(p, tilesW, scratch);
  const g0 = Math.floor(kStart / Kg);
  const g1 = Math.floor((kEnd - 1) / Kg);
  for (let g = g0; g <= g1; g++) {
    const ks = Math.max(kStart, g * Kg);
    const ke = Math.min(kEnd, (g + 1) * Kg);
    const km = ke - ks;
    const us = km * cn;
    let first = true;
    for (let n = 0; n < N; n++) {
      const xg = (n * C + g * Cg + cgStart) * plane;
      for (let tr = 0; tr < tilesH; tr += rowsPerChunk) {
        const trEnd = Math.min(tilesH, tr + rowsPerChunk);
        const T = (trEnd - tr) * tilesW;
        inputTransform(p, x, xg, cn, tr, trEnd, tilesW, V, T, colMap, txLo, txHi);
        // Y[xi][kk*T + t] = (A dy A^T)[xi] of the 2x2 output tile (0 outside the output)
        const ys = km * T;
        for (let kk = 0; kk < km; kk++) {
          const yk = (n * K + ks + kk) * oplane;
          let t = kk * T;
          for (let ty = tr; ty < trEnd; ty++) {
            const oy = 2 * ty;
            const hasBottom = oy + 1 < outH;
            for (let tx = 0; tx < tilesW; tx++, t++) {
              const ox = 2 * tx;
              const hasRight = ox + 1 < outW;
              const o = yk + oy * outW + ox;
              const a0 = dy[o]!;
              const a1 = hasRight ? dy[o + 1]! : 0;
              const b0 = hasBottom ? dy[o + outW]! : 0;
              const b1 = hasBottom && hasRight ? dy[o + outW + 1]! : 0;
              // A Y: rows [a], [a+b], [a-b], [-b]; then (.) A^T per row (u, v) -> [u, u+v, u-v, -v]
              const s0 = a0 + b0, s1 = a1 + b1, d0 = a0 - b0, d1 = a1 - b1;
              Y[t] = a0; Y[ys + t] = a0 + a1; Y[2 * ys + t] = a0 - a1; Y[3 * ys + t] = -a1;
              Y[4 * ys + t] = s0; Y[5 * ys + t] = s0 + s1; Y[6 * ys + t] = s0 - s1; Y[7 * ys + t] = -s1;
              Y[8 * ys + t] = d0; Y[9 * ys + t] = d0 + d1; Y[10 * ys + t] = d0 - d1; Y[11 * ys + t] = -d1;
              Y[12 * ys + t] = -b0; Y[13 * ys + t] = -(b0 + b1); Y[14 * ys + t] = b1 - b0; Y[15 * ys + t] = b1;
            }
          }
        }
        // dU[xi] (km x cn) (+)= Y[xi] (km x T) * V[xi]^T (T x cn)
        const vs = cn * T;
        for (let xi = 0; xi < 16; xi++) {
          sgemm(km, cn, T, 1, Y, xi * ys, T, false, V, xi * vs, T, true, first ? 0 : 1, dU, xi * us, cn, scratch);
        }
        first = false;
      }
    }
    // dW = G^T dU G per (k, cg)
    for (let kk = 0; kk < km; kk++) {
      for (let c = 0; c < cn; c++) {
        const i = kk * cn + c;
        // D = dU[.][i] (4x4, zero when N = 0); H = G^T D (3x4): rows h0 = d0 + (d1+d2)/2, h1 = (d1-d2)/2, h2 = (d1+d2)/2 + d3
        const z = first ? 0 : 1;
        const D = (xi: number): number => (z === 0 ? 0 : dU[xi * us + i]!);
        const h00 = D(0) + 0.5 * (D(4) + D(8)), h01 = D(1) + 0.5 * (D(5) + D(9));
        const h02 = D(2) + 0.5 * (D(6) + D(10)), h03 = D(3) + 0.5 * (D(7) + D(11));
        const h10 = 0.5 * (D(4) - D(8)), h11 = 0.5 * (D(5) - D(9)), h12 = 0.5 * (D(6) - D(10)), h13 = 0.5 * (D(7) - D(11));
        const h20 = 0.5 * (D(4) + D(8)) + D(12), h21 = 0.5 * (D(5) + D(9)) + D(13);
        const h22 = 0.5 * (D(6) + D(10)) + D(14), h23 = 0.5 * (D(7) + D(11)) + D(15);
        const o = ((ks + kk) * Cg + cgStart + c) * 9;
        // dW = H G: row (a, b, c, d) -> [a + (b+c)/2, (b-c)/2, (b+c)/2 + d]
        dw[o] = h00 + 0.5 * (h01 + h02); dw[o + 1] = 0.5 * (h01 - h02); dw[o + 2] = 0.5 * (h01 + h02) + h03;
        dw[o + 3] = h10 + 0.5 * (h11 + h12); dw[o + 4] = 0.5 * (h11 - h12); dw[o + 5] = 0.5 * (h11 + h12) + h13;
        dw[o + 6] = h20 + 0.5 * (h21 + h22); dw[o + 7] = 0.5 * (h21 - h22); dw[o + 8] = 0.5 * (h21 + h22) + h23;
      }
    }
  }
}
