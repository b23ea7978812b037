// Average pooling and global average pooling of planes [H, W] (one plane = one (n, c)).
import { sumF32 } from './reduce';

/** y[pl] = mean of plane pl (H*W = P floats) for planes [0, planes); sums as ./reduce. */
export function globalAvgPlanes(x: usize, planes: i32, P: i32, y: usize): void {
  for (let pl = 0; pl < planes; pl++) {
    store<f32>(y + <usize>pl * 4, <f32>(sumF32(x + <usize>(pl * P) * 4, P) / <f64>P));
  }
}

/** Floats of scratch `avgpoolPlanes` needs: the row with padL zeros before it and zeros up to the last tap after it, + 8 of slack. */
export function avgpoolScratchFloats(W: i32, kW: i32, sW: i32, dW: i32, padL: i32, outW: i32): i32 {
  const hi = (outW - 1) * sW - padL + (kW - 1) * dW + 1;
  return padL + max(W, hi) + 8;
}

/**
 * Average pooling of `planes` planes at x into y [outH, outW] each, dividing window sums by
 * div[oy*outW + ox] (float32, computed by the caller: count-include-pad or not; 0 for an empty
 * window gives 0/0 = NaN). Per output row: the in-image rows of its window are summed into a
 * scratch row 4 columns per f32x4 step; the row sits between zeros (padL before it, up to the last
 * tap after it), so a tap outside the image adds 0, which is skipping it. Then every output sums
 * its kW taps of that row: 4 outputs per step with horizontal stride 1 (one load per tap) or 2
 * (the even lanes of two loads per tap), scalar for other strides and the outW % 4 tail.
 * tmp: avgpoolScratchFloats(W, kW, sW, dW, padL, outW) floats of scratch.
 */
export function avgpoolPlanes(
  x: usize, planes: i32, H: i32, W: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, div: usize, tmp: usize, y: usize,
): void {
  const total = avgpoolScratchFloats(W, kW, sW, dW, padL, outW);
  for (let i = 0; i < padL; i++) store<f32>(tmp + <usize>i * 4, 0);
  for (let i = padL + W; i < total; i++) store<f32>(tmp + <usize>i * 4, 0);
  const row = tmp + <usize>padL * 4;
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + <usize>(pl * H * W) * 4;
    const yp = y + <usize>(pl * outH * outW) * 4;
    for (let oy = 0; oy < outH; oy++) {
      // vertical: row[ix] = sum over the in-image window rows
      let rows = 0;
      for (let ky = 0; ky < kH; ky++) {
        const iy = oy * sH - padT + ky * dH;
        if (iy < 0 || iy >= H) continue;
        const src = xp + <usize>(iy * W) * 4;
        let ix = 0;
        if (rows == 0) {
          for (; ix + 4 <= W; ix += 4) v128.store(row + <usize>ix * 4, v128.load(src + <usize>ix * 4));
          for (; ix < W; ix++) store<f32>(row + <usize>ix * 4, load<f32>(src + <usize>ix * 4));
        } else {
          for (; ix + 4 <= W; ix += 4) {
            const q = <usize>ix * 4;
            v128.store(row + q, f32x4.add(v128.load(row + q), v128.load(src + q)));
          }
          for (; ix < W; ix++) {
            const q = <usize>ix * 4;
            store<f32>(row + q, load<f32>(row + q) + load<f32>(src + q));
          }
        }
        rows++;
      }
      if (rows == 0) {
        for (let ix = 0; ix < W; ix++) store<f32>(row + <usize>ix * 4, 0);
      }
      const yr = yp + <usize>(oy * outW) * 4;
      const dr = div + <usize>(oy * outW) * 4;
      // horizontal: output ox's taps are tmp[ox*sW + kx*dW] (tmp index = image column + padL)
      let ox = 0;
      if (sW == 1) {
        for (; ox + 4 <= outW; ox += 4) {
          let acc = f32x4.splat(0);
          const base = tmp + <usize>ox * 4;
          for (let kx = 0; kx < kW; kx++) acc = f32x4.add(acc, v128.load(base + <usize>(kx * dW) * 4));
          v128.store(yr + <usize>ox * 4, f32x4.div(acc, v128.load(dr + <usize>ox * 4)));
        }
      } else if (sW == 2) {
        for (; ox + 4 <= outW; ox += 4) {
          // the last tap's second load reads one float past it: the scratch has slack
          let acc = f32x4.splat(0);
          const base = tmp + <usize>(ox * 2) * 4;
          for (let kx = 0; kx < kW; kx++) {
            const q = base + <usize>(kx * dW) * 4;
            acc = f32x4.add(acc, i8x16.shuffle(v128.load(q), v128.load(q + 16), 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27));
          }
          v128.store(yr + <usize>ox * 4, f32x4.div(acc, v128.load(dr + <usize>ox * 4)));
        }
      }
      for (; ox < outW; ox++) {
        let s: f32 = 0;
        const base = tmp + <usize>(ox * sW) * 4;
        for (let kx = 0; kx < kW; kx++) s += load<f32>(base + <usize>(kx * dW) * 4);
        store<f32>(yr + <usize>ox * 4, s / load<f32>(dr + <usize>ox * 4));
      }
    }
  }
}
