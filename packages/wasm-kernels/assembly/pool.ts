// Average pooling and global average pooling of planes [H, W] (one plane = one (n, c)).
import { sumF32 } from './reduce';

/** y[pl] = mean of plane pl (H*W = P floats) for planes [0, planes); sums as ./reduce. */
export function globalAvgPlanes(x: usize, planes: i32, P: i32, y: usize): void {
  for (let pl = 0; pl < planes; pl++) {
    store<f32>(y + <usize>pl * 4, <f32>(sumF32(x + <usize>(pl * P) * 4, P) / <f64>P));
  }
}

/**
 * Average pooling of `planes` planes at x into y [outH, outW] each, dividing window sums by
 * div[oy*outW + ox] (float32, computed by the caller: count-include-pad or not; 0 for an empty
 * window gives 0/0 = NaN). Per output row: the in-image rows of its window are summed into
 * tmp[0, W) 4 columns per f32x4 step; then each output sums its in-image taps of tmp (with
 * horizontal stride 1, 4 outputs per step where the whole window lies inside the row).
 * tmp: W floats of scratch.
 */
export function avgpoolPlanes(
  x: usize, planes: i32, H: i32, W: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, div: usize, tmp: usize, y: usize,
): void {
  // outputs [oxA, oxB) have every tap inside [0, W)
  let oxA = 0;
  while (oxA < outW && oxA * sW - padL < 0) oxA++;
  let oxB = outW;
  while (oxB > oxA && (oxB - 1) * sW - padL + (kW - 1) * dW >= W) oxB--;
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + <usize>(pl * H * W) * 4;
    const yp = y + <usize>(pl * outH * outW) * 4;
    for (let oy = 0; oy < outH; oy++) {
      // vertical: tmp[ix] = sum over in-image window rows
      let rows = 0;
      for (let ky = 0; ky < kH; ky++) {
        const iy = oy * sH - padT + ky * dH;
        if (iy < 0 || iy >= H) continue;
        const src = xp + <usize>(iy * W) * 4;
        let ix = 0;
        if (rows == 0) {
          for (; ix + 4 <= W; ix += 4) v128.store(tmp + <usize>ix * 4, v128.load(src + <usize>ix * 4));
          for (; ix < W; ix++) store<f32>(tmp + <usize>ix * 4, load<f32>(src + <usize>ix * 4));
        } else {
          for (; ix + 4 <= W; ix += 4) {
            const q = <usize>ix * 4;
            v128.store(tmp + q, f32x4.add(v128.load(tmp + q), v128.load(src + q)));
          }
          for (; ix < W; ix++) {
            const q = <usize>ix * 4;
            store<f32>(tmp + q, load<f32>(tmp + q) + load<f32>(src + q));
          }
        }
        rows++;
      }
      if (rows == 0) {
        for (let ix = 0; ix < W; ix++) store<f32>(tmp + <usize>ix * 4, 0);
      }
      const yr = yp + <usize>(oy * outW) * 4;
      const dr = div + <usize>(oy * outW) * 4;
      // horizontal
      let ox = 0;
      for (; ox < outW; ox++) {
        if (sW == 1 && ox >= oxA && ox + 4 <= oxB) {
          let acc = f32x4.splat(0);
          const base = tmp + <usize>(ox - padL) * 4;
          for (let kx = 0; kx < kW; kx++) acc = f32x4.add(acc, v128.load(base + <usize>(kx * dW) * 4));
          v128.store(yr + <usize>ox * 4, f32x4.div(acc, v128.load(dr + <usize>ox * 4)));
          ox += 3;
          continue;
        }
        let s: f32 = 0;
        for (let kx = 0; kx < kW; kx++) {
          const ix = ox * sW - padL + kx * dW;
          if (ix < 0 || ix >= W) continue;
          s += load<f32>(tmp + <usize>ix * 4);
        }
        store<f32>(yr + <usize>ox * 4, s / load<f32>(dr + <usize>ox * 4));
      }
    }
  }
}
