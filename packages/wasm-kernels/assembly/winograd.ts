// Winograd F(2x2, 3x3) for a 3x3 / stride 1 / dilation 1 / zero-padded conv (Lavin & Gray 2016):
//   U = G g G^T per filter and channel, V = B^T d B per 4x4 input tile, M[xi] = U[xi] V[xi]
//   (16 GEMMs, done with sgemm), Y = A^T M A per 2x2 output tile.
// 2.25x fewer multiplications than im2col + GEMM. The transforms use the same formulas (and the
// same order of operations) as @convkit/backend-js's winograd.ts. Layouts (element offsets):
//   U[xi*K*C + k*C + c]    (16 matrices K x C, the GEMMs' A operands, row-major)
//   V[xi*C*T + c*T + t]    (16 matrices C x T, B operands; t = (ty - ty0)*tilesW + tx)
//   M[xi*K*T + k*T + t]    (16 matrices K x T, the GEMMs' outputs)
// Tile (ty, tx) covers output rows 2ty, 2ty+1 and columns 2tx, 2tx+1 and reads input rows
// 2ty - padT .. +3, columns 2tx - padL .. +3 (outside the image: 0).

/** U = G g G^T of every K x C 3x3 filter at w ([K, C, 3, 3]) into u (16*K*C floats). */
export function winogradFilter(w: usize, K: i32, C: i32, u: usize): void {
  const h: f32 = 0.5;
  const st = <usize>(K * C * 4);
  for (let i = 0; i < K * C; i++) {
    const o = w + <usize>(i * 36);
    const w0 = load<f32>(o), w1 = load<f32>(o, 4), w2 = load<f32>(o, 8);
    const w3 = load<f32>(o, 12), w4 = load<f32>(o, 16), w5 = load<f32>(o, 20);
    const w6 = load<f32>(o, 24), w7 = load<f32>(o, 28), w8 = load<f32>(o, 32);
    const a0 = w0, a1 = w1, a2 = w2;
    const b0 = h * (w0 + w3 + w6), b1 = h * (w1 + w4 + w7), b2 = h * (w2 + w5 + w8);
    const c0 = h * (w0 - w3 + w6), c1 = h * (w1 - w4 + w7), c2 = h * (w2 - w5 + w8);
    const d0 = w6, d1 = w7, d2 = w8;
    let q = u + <usize>(i * 4);
    store<f32>(q, a0); q += st; store<f32>(q, h * (a0 + a1 + a2)); q += st; store<f32>(q, h * (a0 - a1 + a2)); q += st; store<f32>(q, a2); q += st;
    store<f32>(q, b0); q += st; store<f32>(q, h * (b0 + b1 + b2)); q += st; store<f32>(q, h * (b0 - b1 + b2)); q += st; store<f32>(q, b2); q += st;
    store<f32>(q, c0); q += st; store<f32>(q, h * (c0 + c1 + c2)); q += st; store<f32>(q, h * (c0 - c1 + c2)); q += st; store<f32>(q, c2); q += st;
    store<f32>(q, d0); q += st; store<f32>(q, h * (d0 + d1 + d2)); q += st; store<f32>(q, h * (d0 - d1 + d2)); q += st; store<f32>(q, d2);
  }
}

// x[r][col] of one channel plane, 0 outside the image
// @ts-ignore: decorator
@inline
function at(xc: usize, H: i32, W: i32, r: i32, col: i32): f32 {
  return r < 0 || r >= H || col < 0 || col >= W ? <f32>0 : load<f32>(xc + <usize>((r * W + col) * 4));
}

// One tile (any position), scalar, bounds-checked.
function inputTile(xc: usize, H: i32, W: i32, iy: i32, ix: i32, v: usize, vs: usize): void {
  const d00 = at(xc, H, W, iy, ix), d01 = at(xc, H, W, iy, ix + 1), d02 = at(xc, H, W, iy, ix + 2), d03 = at(xc, H, W, iy, ix + 3);
  const d10 = at(xc, H, W, iy + 1, ix), d11 = at(xc, H, W, iy + 1, ix + 1), d12 = at(xc, H, W, iy + 1, ix + 2), d13 = at(xc, H, W, iy + 1, ix + 3);
  const d20 = at(xc, H, W, iy + 2, ix), d21 = at(xc, H, W, iy + 2, ix + 1), d22 = at(xc, H, W, iy + 2, ix + 2), d23 = at(xc, H, W, iy + 2, ix + 3);
  const d30 = at(xc, H, W, iy + 3, ix), d31 = at(xc, H, W, iy + 3, ix + 1), d32 = at(xc, H, W, iy + 3, ix + 2), d33 = at(xc, H, W, iy + 3, ix + 3);
  const e00 = d00 - d20, e01 = d01 - d21, e02 = d02 - d22, e03 = d03 - d23;
  const e10 = d10 + d20, e11 = d11 + d21, e12 = d12 + d22, e13 = d13 + d23;
  const e20 = d20 - d10, e21 = d21 - d11, e22 = d22 - d12, e23 = d23 - d13;
  const e30 = d10 - d30, e31 = d11 - d31, e32 = d12 - d32, e33 = d13 - d33;
  let q = v;
  store<f32>(q, e00 - e02); q += vs; store<f32>(q, e01 + e02); q += vs; store<f32>(q, e02 - e01); q += vs; store<f32>(q, e01 - e03); q += vs;
  store<f32>(q, e10 - e12); q += vs; store<f32>(q, e11 + e12); q += vs; store<f32>(q, e12 - e11); q += vs; store<f32>(q, e11 - e13); q += vs;
  store<f32>(q, e20 - e22); q += vs; store<f32>(q, e21 + e22); q += vs; store<f32>(q, e22 - e21); q += vs; store<f32>(q, e21 - e23); q += vs;
  store<f32>(q, e30 - e32); q += vs; store<f32>(q, e31 + e32); q += vs; store<f32>(q, e32 - e31); q += vs; store<f32>(q, e31 - e33);
}

// Column j (0..3) of four consecutive tiles' input rows starting at p (columns q .. q+9, stride 2):
// lane i = x[q + 2i + j].
// @ts-ignore: decorator
@inline
function col0(p: usize): v128 {
  return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
}
// @ts-ignore: decorator
@inline
function col1(p: usize): v128 {
  return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 1, 3, 5, 7);
}
// @ts-ignore: decorator
@inline
function col2(p: usize): v128 {
  return v128.shuffle<f32>(v128.load(p, 8), v128.load(p, 24), 0, 2, 4, 6);
}
// @ts-ignore: decorator
@inline
function col3(p: usize): v128 {
  return v128.shuffle<f32>(v128.load(p, 8), v128.load(p, 24), 1, 3, 5, 7);
}

// B^T d B for one tile-row i of four tiles at once, given the four input rows' column vectors.
// @ts-ignore: decorator
@inline
function storeRow(q: usize, vs: usize, e0: v128, e1: v128, e2: v128, e3: v128): void {
  v128.store(q, f32x4.sub(e0, e2));
  v128.store(q + vs, f32x4.add(e1, e2));
  v128.store(q + 2 * vs, f32x4.sub(e2, e1));
  v128.store(q + 3 * vs, f32x4.sub(e1, e3));
}

/**
 * V = B^T d B for channels [0, C) and tile rows [ty0, ty1) of ONE image at x ([C, H, W]), into v
 * (16*C*T floats, T = (ty1 - ty0)*tilesW). Four tiles per SIMD step where the tiles' rows and
 * columns are all inside the image; single tiles with bounds checks elsewhere.
 */
export function winogradInput(
  x: usize, H: i32, W: i32, C: i32, padT: i32, padL: i32,
  tilesW: i32, ty0: i32, ty1: i32, v: usize, T: i32,
): void {
  const vs = <usize>(C * T * 4);
  const vs4 = vs * 4;
  const txLo = min(tilesW, (padL + 1) >> 1); // first tile with 2tx - padL >= 0
  for (let c = 0; c < C; c++) {
    const xc = x + <usize>(c * H * W * 4);
    for (let ty = ty0; ty < ty1; ty++) {
      const iy = 2 * ty - padT;
      const vt = v + <usize>((c * T + (ty - ty0) * tilesW) * 4);
      let tx = 0;
      if (iy >= 0 && iy + 3 < H) {
        for (; tx < txLo; tx++) inputTile(xc, H, W, iy, 2 * tx - padL, vt + <usize>(tx * 4), vs);
        const r0 = xc + <usize>(iy * W * 4);
        const rs = <usize>(W * 4);
        for (; tx + 4 <= tilesW && 2 * tx - padL + 10 <= W; tx += 4) {
          const p0 = r0 + <usize>((2 * tx - padL) * 4);
          const p1 = p0 + rs, p2 = p1 + rs, p3 = p2 + rs;
          const q = vt + <usize>(tx * 4);
          // rows of B^T d: e0 = d0 - d2, e1 = d1 + d2, e2 = d2 - d1, e3 = d1 - d3 (per column j)
          let a = col0(p0), b = col0(p1), cc = col0(p2), d = col0(p3);
          const e00 = f32x4.sub(a, cc), e10 = f32x4.add(b, cc), e20 = f32x4.sub(cc, b), e30 = f32x4.sub(b, d);
          a = col1(p0); b = col1(p1); cc = col1(p2); d = col1(p3);
          const e01 = f32x4.sub(a, cc), e11 = f32x4.add(b, cc), e21 = f32x4.sub(cc, b), e31 = f32x4.sub(b, d);
          a = col2(p0); b = col2(p1); cc = col2(p2); d = col2(p3);
          const e02 = f32x4.sub(a, cc), e12 = f32x4.add(b, cc), e22 = f32x4.sub(cc, b), e32 = f32x4.sub(b, d);
          a = col3(p0); b = col3(p1); cc = col3(p2); d = col3(p3);
          const e03 = f32x4.sub(a, cc), e13 = f32x4.add(b, cc), e23 = f32x4.sub(cc, b), e33 = f32x4.sub(b, d);
          storeRow(q, vs, e00, e01, e02, e03);
          storeRow(q + vs4, vs, e10, e11, e12, e13);
          storeRow(q + 2 * vs4, vs, e20, e21, e22, e23);
          storeRow(q + 3 * vs4, vs, e30, e31, e32, e33);
        }
      }
      for (; tx < tilesW; tx++) inputTile(xc, H, W, iy, 2 * tx - padL, vt + <usize>(tx * 4), vs);
    }
  }
}

/**
 * Y = A^T M A (+ bias[k]; bias 0 = none) of filters [0, K) and tile rows [ty0, ty1) into ONE
 * image y ([K, outH, outW]); rows and columns past outH / outW (odd sizes) are not written.
 */
export function winogradOutput(
  m: usize, K: i32, T: i32, tilesW: i32, ty0: i32, ty1: i32,
  outH: i32, outW: i32, y: usize, bias: usize,
): void {
  const ms = <usize>(K * T * 4);
  for (let k = 0; k < K; k++) {
    const yk = y + <usize>(k * outH * outW * 4);
    const bs: f32 = bias ? load<f32>(bias + <usize>(k * 4)) : 0;
    const bv = f32x4.splat(bs);
    for (let ty = ty0; ty < ty1; ty++) {
      const oy = 2 * ty;
      const bottom = oy + 1 < outH;
      const row = yk + <usize>(oy * outW * 4);
      let t = k * T + (ty - ty0) * tilesW;
      let tx = 0;
      for (; tx + 4 <= tilesW && 2 * tx + 8 <= outW; tx += 4, t += 4) {
        const q = m + <usize>(t * 4);
        const m00 = v128.load(q), m01 = v128.load(q + ms), m02 = v128.load(q + 2 * ms), m03 = v128.load(q + 3 * ms);
        const m10 = v128.load(q + 4 * ms), m11 = v128.load(q + 5 * ms), m12 = v128.load(q + 6 * ms), m13 = v128.load(q + 7 * ms);
        const m20 = v128.load(q + 8 * ms), m21 = v128.load(q + 9 * ms), m22 = v128.load(q + 10 * ms), m23 = v128.load(q + 11 * ms);
        const m30 = v128.load(q + 12 * ms), m31 = v128.load(q + 13 * ms), m32 = v128.load(q + 14 * ms), m33 = v128.load(q + 15 * ms);
        const s0 = f32x4.add(f32x4.add(m00, m10), m20), s1 = f32x4.add(f32x4.add(m01, m11), m21);
        const s2 = f32x4.add(f32x4.add(m02, m12), m22), s3 = f32x4.add(f32x4.add(m03, m13), m23);
        const y00 = f32x4.add(f32x4.add(f32x4.add(s0, s1), s2), bv);
        const y01 = f32x4.add(f32x4.sub(f32x4.sub(s1, s2), s3), bv);
        const o = row + <usize>(2 * tx * 4);
        v128.store(o, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5));
        v128.store(o, v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), 16);
        if (bottom) {
          const u0 = f32x4.sub(f32x4.sub(m10, m20), m30), u1 = f32x4.sub(f32x4.sub(m11, m21), m31);
          const u2 = f32x4.sub(f32x4.sub(m12, m22), m32), u3 = f32x4.sub(f32x4.sub(m13, m23), m33);
          const y10 = f32x4.add(f32x4.add(f32x4.add(u0, u1), u2), bv);
          const y11 = f32x4.add(f32x4.sub(f32x4.sub(u1, u2), u3), bv);
          const o2 = o + <usize>(outW * 4);
          v128.store(o2, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5));
          v128.store(o2, v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), 16);
        }
      }
      for (; tx < tilesW; tx++, t++) {
        const q = m + <usize>(t * 4);
        const m00 = load<f32>(q), m01 = load<f32>(q + ms), m02 = load<f32>(q + 2 * ms), m03 = load<f32>(q + 3 * ms);
        const m10 = load<f32>(q + 4 * ms), m11 = load<f32>(q + 5 * ms), m12 = load<f32>(q + 6 * ms), m13 = load<f32>(q + 7 * ms);
        const m20 = load<f32>(q + 8 * ms), m21 = load<f32>(q + 9 * ms), m22 = load<f32>(q + 10 * ms), m23 = load<f32>(q + 11 * ms);
        const m30 = load<f32>(q + 12 * ms), m31 = load<f32>(q + 13 * ms), m32 = load<f32>(q + 14 * ms), m33 = load<f32>(q + 15 * ms);
        const s0 = m00 + m10 + m20, s1 = m01 + m11 + m21, s2 = m02 + m12 + m22, s3 = m03 + m13 + m23;
        const ox = 2 * tx;
        const right = ox + 1 < outW;
        const o = row + <usize>(ox * 4);
        store<f32>(o, s0 + s1 + s2 + bs);
        if (right) store<f32>(o, s1 - s2 - s3 + bs, 4);
        if (bottom) {
          const u0 = m10 - m20 - m30, u1 = m11 - m21 - m31, u2 = m12 - m22 - m32, u3 = m13 - m23 - m33;
          const o2 = o + <usize>(outW * 4);
          store<f32>(o2, u0 + u1 + u2 + bs);
          if (right) store<f32>(o2, u1 - u2 - u3 + bs, 4);
        }
      }
    }
  }
}

/** 1 when every float of a[0, n) is finite (Winograd mixes inputs: an Inf would turn neighbours into NaN). */
export function allFinite(a: usize, n: i32): i32 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(a + <usize>(i * 4));
    acc = f32x4.add(acc, f32x4.sub(v, v)); // 0 for finite lanes, NaN for Inf/NaN
  }
  let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < n; i++) {
    const v = load<f32>(a + <usize>(i * 4));
    s += v - v;
  }
  return s == 0 ? 1 : 0;
}
