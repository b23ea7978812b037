// Direct depthwise convolution of ONE plane (groups = C): y[oy][ox] = bias + sum_{ky,kx}
// w[ky*kW + kx] * x[oy*sH + ky*dH - padT][ox*sW + kx*dW - padL] over in-image taps (zero padding).
// Interior outputs of stride-1 rows are computed 4 at a time with f32x4.

// @ts-ignore: decorator
@inline
function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

export function depthwisePlane(
  x: usize, H: i32, W: i32, w: usize, bias: f32,
  kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, y: usize,
): void {
  // ox whose taps are all inside [0, W)
  const xLo = min(outW, max(0, ceilDiv(padL, sW)));
  const xHi = max(xLo, min(outW, max(0, ceilDiv(W - ((kW - 1) * dW - padL), sW))));
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * sH - padT;
    const yrow = y + <usize>(oy * outW * 4);
    // scalar border outputs (and all outputs of a row when xLo..xHi is empty)
    for (let ox = 0; ox < outW; ox++) {
      if (ox == xLo && xHi > xLo) ox = xHi;
      if (ox >= outW) break;
      const x0 = ox * sW - padL;
      let acc: f32 = bias;
      for (let ky = 0; ky < kH; ky++) {
        const iy = y0 + ky * dH;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < kW; kx++) {
          const ix = x0 + kx * dW;
          if (ix < 0 || ix >= W) continue;
          acc += load<f32>(w + <usize>((ky * kW + kx) * 4)) * load<f32>(x + <usize>((iy * W + ix) * 4));
        }
      }
      store<f32>(yrow + <usize>(ox * 4), acc);
    }
    // interior
    let ox = xLo;
    if (sW == 1) {
      for (; ox + 4 <= xHi; ox += 4) {
        let acc = f32x4.splat(bias);
        for (let ky = 0; ky < kH; ky++) {
          const iy = y0 + ky * dH;
          if (iy < 0 || iy >= H) continue;
          const row = x + <usize>((iy * W + ox - padL) * 4);
          const wr = w + <usize>(ky * kW * 4);
          for (let kx = 0; kx < kW; kx++) {
            acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(wr + <usize>(kx * 4)), v128.load(row + <usize>(kx * dW * 4))));
          }
        }
        v128.store(yrow + <usize>(ox * 4), acc);
      }
    }
    for (; ox < xHi; ox++) {
      const x0 = ox * sW - padL;
      let acc: f32 = bias;
      for (let ky = 0; ky < kH; ky++) {
        const iy = y0 + ky * dH;
        if (iy < 0 || iy >= H) continue;
        const row = x + <usize>((iy * W + x0) * 4);
        const wr = w + <usize>(ky * kW * 4);
        for (let kx = 0; kx < kW; kx++) {
          acc += load<f32>(wr + <usize>(kx * 4)) * load<f32>(row + <usize>(kx * dW * 4));
        }
      }
      store<f32>(yrow + <usize>(ox * 4), acc);
    }
  }
}

/**
 * Filter gradient of one depthwise plane pair (zero padding): for every tap (ky, kx),
 * dw[ky*kW + kx] (+)= sum_{oy,ox} dy[oy][ox] * x[oy*sH + ky*dH - padT][ox*sW + kx*dW - padL]
 * over in-image positions. accumulate = 0 overwrites dw, 1 adds. Stride-1 rows use f32x4 dot products.
 */
export function depthwiseFilterGradPlane(
  x: usize, H: i32, W: i32, dy: usize, outH: i32, outW: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, padT: i32, padL: i32,
  dw: usize, accumulate: i32,
): void {
  for (let ky = 0; ky < kH; ky++) {
    for (let kx = 0; kx < kW; kx++) {
      const offX = kx * dW - padL;
      // ox with 0 <= ox*sW + offX < W
      const xLo = min(outW, max(0, ceilDiv(-offX, sW)));
      const xHi = max(xLo, min(outW, max(0, ceilDiv(W - offX, sW))));
      let acc = f32x4.splat(0);
      let s: f32 = 0;
      for (let oy = 0; oy < outH; oy++) {
        const iy = oy * sH + ky * dH - padT;
        if (iy < 0 || iy >= H) continue;
        const drow = dy + <usize>(oy * outW * 4);
        const xrow = x + <usize>((iy * W + offX) * 4);
        let ox = xLo;
        if (sW == 1) {
          for (; ox + 4 <= xHi; ox += 4) {
            acc = f32x4.add(acc, f32x4.mul(v128.load(drow + <usize>(ox * 4)), v128.load(xrow + <usize>(ox * 4))));
          }
        }
        for (; ox < xHi; ox++) s += load<f32>(drow + <usize>(ox * 4)) * load<f32>(xrow + <usize>(ox * sW * 4));
      }
      s += f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      const q = dw + <usize>((ky * kW + kx) * 4);
      store<f32>(q, accumulate ? load<f32>(q) + s : s);
    }
  }
}
