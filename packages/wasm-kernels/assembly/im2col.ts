// im2col / col2im for ONE image with zero padding (CONVENTIONS.md index map):
//   row (c*kH + ky)*kW + kx, column oy*outW + ox, entry x[c][oy*sH + ky*dH - padT][ox*sW + kx*dW - padL]
// Channels [c0, c1) of the image at x (channel 0) go to rows (c - c0)*kH*kW + ... of the matrix
// at cols with row stride ldCols (elements). Output rows [oy0, oy1) only (column (oy-oy0)*outW+ox).

// @ts-ignore: decorator
@inline
function ceilDiv(a: i32, b: i32): i32 {
  // b > 0; a may be negative
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

// first ox with ox*s + off >= 0, and one past the last ox with ox*s + off < n, clamped to [0, out]
// @ts-ignore: decorator
@inline
function loX(off: i32, s: i32, out: i32): i32 {
  return min(out, max(0, ceilDiv(-off, s)));
}
// @ts-ignore: decorator
@inline
function hiX(off: i32, s: i32, n: i32, out: i32): i32 {
  return min(out, max(0, ceilDiv(n - off, s)));
}

// Short runs (an image row is tens of floats): inline SIMD loops, not memory.copy/fill, which V8
// calls out of line (measured: workload B's 5x5 C=1 im2col spent most of its time in those calls).
// @ts-ignore: decorator
@inline
function copyRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>(i * 4), v128.load(src + <usize>(i * 4)));
  for (; i < n; i++) store<f32>(dst + <usize>(i * 4), load<f32>(src + <usize>(i * 4)));
}
// @ts-ignore: decorator
@inline
function zeroRun(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>(i * 4), f32x4.splat(0));
  for (; i < n; i++) store<f32>(dst + <usize>(i * 4), 0);
}

export function im2colImage(
  x: usize, H: i32, W: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, padT: i32, padL: i32,
  outW: i32, c0: i32, c1: i32, oy0: i32, oy1: i32,
  cols: usize, ldCols: i32,
): void {
  const rows = oy1 - oy0;
  for (let c = c0; c < c1; c++) {
    const xc = x + <usize>(c * H * W * 4);
    for (let ky = 0; ky < kH; ky++) {
      for (let kx = 0; kx < kW; kx++) {
        const r = ((c - c0) * kH + ky) * kW + kx;
        let dst = cols + <usize>(r * ldCols * 4);
        const offX = kx * dW - padL;
        const xLo = loX(offX, sW, outW);
        const xHi = max(xLo, hiX(offX, sW, W, outW));
        for (let t = 0; t < rows; t++) {
          const iy = (oy0 + t) * sH + ky * dH - padT;
          if (iy < 0 || iy >= H) {
            zeroRun(dst, outW);
          } else {
            if (xLo > 0) zeroRun(dst, xLo);
            const src = xc + <usize>((iy * W + offX) * 4);
            if (sW == 1) {
              copyRun(dst + <usize>(xLo * 4), src + <usize>(xLo * 4), xHi - xLo);
            } else {
              for (let ox = xLo; ox < xHi; ox++) {
                store<f32>(dst + <usize>(ox * 4), load<f32>(src + <usize>(ox * sW * 4)));
              }
            }
            if (xHi < outW) zeroRun(dst + <usize>(xHi * 4), outW - xHi);
          }
          dst += <usize>(outW * 4);
        }
      }
    }
  }
}

/** Adjoint of im2colImage (all output rows): zeroes channels [c0, c1) of dx, then adds every column entry into its pixel. */
export function col2imImage(
  cols: usize, ldCols: i32,
  H: i32, W: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, c0: i32, c1: i32,
  dx: usize,
): void {
  memory.fill(dx + <usize>(c0 * H * W * 4), 0, <usize>((c1 - c0) * H * W * 4));
  for (let c = c0; c < c1; c++) {
    const xc = dx + <usize>(c * H * W * 4);
    for (let ky = 0; ky < kH; ky++) {
      for (let kx = 0; kx < kW; kx++) {
        const r = ((c - c0) * kH + ky) * kW + kx;
        let src = cols + <usize>(r * ldCols * 4);
        const offX = kx * dW - padL;
        const xLo = loX(offX, sW, outW);
        const xHi = max(xLo, hiX(offX, sW, W, outW));
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy * sH + ky * dH - padT;
          if (iy >= 0 && iy < H) {
            const dst = xc + <usize>((iy * W + offX) * 4);
            if (sW == 1) {
              let ox = xLo;
              for (; ox + 4 <= xHi; ox += 4) {
                const q = dst + <usize>(ox * 4);
                v128.store(q, f32x4.add(v128.load(q), v128.load(src + <usize>(ox * 4))));
              }
              for (; ox < xHi; ox++) {
                const q = dst + <usize>(ox * 4);
                store<f32>(q, load<f32>(q) + load<f32>(src + <usize>(ox * 4)));
              }
            } else {
              for (let ox = xLo; ox < xHi; ox++) {
                const q = dst + <usize>(ox * sW * 4);
                store<f32>(q, load<f32>(q) + load<f32>(src + <usize>(ox * 4)));
              }
            }
          }
          src += <usize>(outW * 4);
        }
      }
    }
  }
}
