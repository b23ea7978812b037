/** Raw exports of the kernels module. Every pointer is a byte offset into the (imported) memory. */
export interface KernelExports {
  /** First byte past the module's static data. */
  heapBase(): number;
  /** 1 when SIMD code runs. */
  simdSelfTest(): number;
  /** Bytes of scratch one `sgemm` call needs (16-byte aligned pointer, one per thread). */
  gemmWorkspaceBytes(): number;
  /**
   * C = alpha * opA * opB + beta * C (beta = 0: C is not read), m x n block, depth k.
   * opA(i, l) = f32 at a + 4*(i*rsA + l*csA); opB(l, j) = f32 at b + 4*(l*rsB + j*csB);
   * C(i, j) = f32 at c + 4*(i*ldc + j). ws: gemmWorkspaceBytes() of scratch.
   */
  sgemm(
    m: number, n: number, k: number, alpha: number,
    a: number, rsA: number, csA: number,
    b: number, rsB: number, csB: number,
    beta: number, c: number, ldc: number, ws: number,
  ): void;
  /** C[i, j] += bias[j] (m x n, row stride ldc). */
  addBiasCols(c: number, m: number, n: number, ldc: number, bias: number): void;
  /** Splits a K x (cnt*L) result (row stride ld) of cnt side-by-side images into cnt K x L images at y, adding bias[k] (0 = none). */
  splitImages(tmp: number, ld: number, K: number, L: number, cnt: number, y: number, bias: number): void;
  /** C[i, j] += bias[i] (m x n, row stride ldc). */
  addBiasRows(c: number, m: number, n: number, ldc: number, bias: number): void;
  /**
   * Zero-padding im2col of channels [c0, c1) and output rows [oy0, oy1) of ONE image at x (channel 0)
   * into rows (c-c0)*kH*kW + ky*kW + kx, columns (oy-oy0)*outW + ox of the matrix at cols (row stride ldCols).
   */
  im2colImage(
    x: number, H: number, W: number,
    kH: number, kW: number, sH: number, sW: number, dH: number, dW: number, padT: number, padL: number,
    outW: number, c0: number, c1: number, oy0: number, oy1: number,
    cols: number, ldCols: number,
  ): void;
  /** Adjoint of im2colImage (all output rows): zeroes channels [c0, c1) of the image at dx, then accumulates. */
  col2imImage(
    cols: number, ldCols: number, H: number, W: number,
    kH: number, kW: number, sH: number, sW: number, dH: number, dW: number, padT: number, padL: number,
    outH: number, outW: number, c0: number, c1: number, dx: number,
  ): void;
  /** Direct zero-padded depthwise conv of one plane with one kH x kW filter and a scalar bias. */
  depthwisePlane(
    x: number, H: number, W: number, w: number, bias: number,
    kH: number, kW: number, sH: number, sW: number, dH: number, dW: number, padT: number, padL: number,
    outH: number, outW: number, y: number,
  ): void;
  /**
   * Depthwise filter gradient of one (x plane, dy plane) pair, zero padding: for every tap,
   * dw[ky*kW+kx] = (accumulate ? dw[..] : 0) + sum dy[oy][ox] * x[oy*sH+ky*dH-padT][ox*sW+kx*dW-padL].
   */
  depthwiseFilterGradPlane(
    x: number, H: number, W: number, dy: number, outH: number, outW: number,
    kH: number, kW: number, sH: number, sW: number, dH: number, dW: number, padT: number, padL: number,
    dw: number, accumulate: number,
  ): void;
  /** Max pooling of `planes` planes at x; indices are idxBase + plane*H*W + iy*W + ix. */
  maxpoolPlanes(
    x: number, planes: number, H: number, W: number,
    kH: number, kW: number, sH: number, sW: number, dH: number, dW: number, padT: number, padL: number,
    outH: number, outW: number, y: number, ind: number, idxBase: number,
  ): void;
  /** dx[0..count) = 0, then dx[ind[o] - idxBase] += dy[o] for o < outCount (out-of-range indices ignored). */
  maxpoolBackward(dy: number, ind: number, outCount: number, dx: number, count: number, idxBase: number): void;
  /** Winograd F(2x2,3x3) filter transform: u[xi*K*C + k*C + c] = (G g G^T)[xi] of w [K, C, 3, 3]. */
  winogradFilter(w: number, K: number, C: number, u: number): void;
  /**
   * Winograd input transform of channels [0, C) and tile rows [ty0, ty1) of ONE zero-padded image
   * x [C, H, W]: v[xi*C*T + c*T + t] = (B^T d B)[xi], t = (ty - ty0)*tilesW + tx, T = (ty1 - ty0)*tilesW.
   */
  winogradInput(x: number, H: number, W: number, C: number, padT: number, padL: number, tilesW: number, ty0: number, ty1: number, v: number, T: number): void;
  /** Winograd output transform of m[xi*K*T + k*T + t] into ONE image y [K, outH, outW], + bias[k] (0 = none). */
  winogradOutput(m: number, K: number, T: number, tilesW: number, ty0: number, ty1: number, outH: number, outW: number, y: number, bias: number): void;
  /** 1 when every float of a[0, n) is finite. */
  allFinite(a: number, n: number): number;
  /**
   * Elementwise y = a (op) b over m rows of n outputs (y dense, row stride n): y[i*n + j] = a[i*oa + j*sa] (op) b[i*ob + j*sb],
   * element strides, 0 = broadcast. Inner strides 0/1 run in f32x4 (n % 4 tail scalar); others scalar.
   */
  addRows(a: number, oa: number, sa: number, b: number, ob: number, sb: number, y: number, m: number, n: number): void;
  subRows(a: number, oa: number, sa: number, b: number, ob: number, sb: number, y: number, m: number, n: number): void;
  mulRows(a: number, oa: number, sa: number, b: number, ob: number, sb: number, y: number, m: number, n: number): void;
  /** Batch statistics of channels [c0, c1) of x [N, C, P]: float64 stats[2c] = mean, stats[2c+1] = sum of squared deviations. */
  bnStats(x: number, N: number, C: number, P: number, c0: number, c1: number, stats: number): void;
  /** y = scale[c] * (x - mean[c]) + shift[c], channels [c0, c1) of [N, C, P] (float32 per-channel arrays). */
  bnApply(x: number, N: number, C: number, P: number, mean: number, scale: number, shift: number, c0: number, c1: number, y: number): void;
  /** Channels [c0, c1): float64 sums[2c] = sum dy, sums[2c+1] = sum dy * (x - mean[c]). */
  bnBackwardSums(x: number, dy: number, N: number, C: number, P: number, mean: number, c0: number, c1: number, sums: number): void;
  /** dx = k[c] * ((dy - mdy[c]) - (x - mean[c]) * r[c]), channels [c0, c1) (float32 per-channel arrays). */
  bnBackwardApply(x: number, dy: number, N: number, C: number, P: number, mean: number, k: number, mdy: number, r: number, c0: number, c1: number, dx: number): void;
  /** y[pl] = mean of plane pl (P floats), planes [0, planes). */
  globalAvgPlanes(x: number, planes: number, P: number, y: number): void;
  /**
   * Average pooling of `planes` planes [H, W] at x into y [outH, outW] each: window sums over in-image taps
   * divided by div[oy*outW + ox] (float32; 0 gives NaN). tmp: avgpoolScratchFloats(W, kW, sW, dW, padL, outW) floats of scratch.
   */
  avgpoolPlanes(
    x: number, planes: number, H: number, W: number,
    kH: number, kW: number, sH: number, sW: number, dH: number, dW: number, padT: number, padL: number,
    outH: number, outW: number, div: number, tmp: number, y: number,
  ): void;
  /** Floats of scratch avgpoolPlanes needs: padL + max(W, (outW - 1)*sW - padL + (kW - 1)*dW + 1) + 8. */
  avgpoolScratchFloats(W: number, kW: number, sW: number, dW: number, padL: number, outW: number): number;
  /** Softmax (log 0) or log-softmax (log 1) of x [outer, len, inner] along len into y (NaN in a slice: the slice is NaN). */
  softmaxAxis(x: number, outer: number, len: number, inner: number, y: number, log: number): void;
  /** Backward of softmaxAxis from its output y: softmax (log 0) dx = y * (dy - sum(dy * y)); log-softmax (log 1) dx = dy - exp(y) * sum(dy). */
  softmaxAxisBackward(y: number, dy: number, outer: number, len: number, inner: number, dx: number, log: number): void;
}
