// Max pooling over planes: positions outside the image are skipped; row-major scan with strict '>'
// (ties to the first maximum); a NaN replaces the running max and only a later NaN replaces it
// (PyTorch's `val > max || isnan(val)`, so the index is the LAST NaN). Indices are flat into the
// whole input: idxBase + plane*H*W + iy*W + ix, where idxBase is the flat index of x's first element.
//
// The usual CNN pools, 2x2 and 3x3 windows with horizontal stride 2 (dilation 1, any vertical
// stride), take a SIMD path for windows fully inside the image: 4 outputs at once, even/odd
// columns split by shuffles, then a strict-'>' merge in row-major window order: `f32x4.pmax(m, v)`
// (= m < v ? v : m, one maxps) keeps the first maximum exactly as the scan does (so -0/+0 ties keep
// the first), the same `f32x4.gt` mask moves the index (i32 subtract of the -1 mask for the next
// column, bitselect for later columns and rows). A NaN can only be dropped by the merge, so any
// NaN among the inputs of a block sends those 4 outputs to the exact scalar scan. NaNs are found
// by summing the inputs (a NaN sum means a NaN, or +Inf and -Inf, among them; then the inputs are
// checked exactly): per block for 3x3, per row for 2x2 (one OR per block; a row whose sum mask is
// set is redone block by block with the exact check).

// @ts-ignore: decorator
@inline
function scanOne(
  x: usize, xc: i32, H: i32, W: i32, kH: i32, kW: i32, dH: i32, dW: i32, y0: i32, x0: i32,
  y: usize, ind: usize, o: usize, idxBase: i32,
): void {
  let best: f32 = -Infinity;
  let bi: i32 = -1;
  for (let ky = 0; ky < kH; ky++) {
    const iy = y0 + ky * dH;
    if (iy < 0 || iy >= H) continue;
    const r = xc + iy * W;
    for (let kx = 0; kx < kW; kx++) {
      const ix = x0 + kx * dW;
      if (ix < 0 || ix >= W) continue;
      const v = load<f32>(x + <usize>((r + ix) * 4));
      // branch-free: on random data a taken/not-taken branch here mispredicts about once per window
      const take = <i32>(bi < 0) | <i32>(v > best) | <i32>(v != v);
      best = select<f32>(v, best, take);
      bi = select<i32>(r + ix, bi, take);
    }
  }
  store<f32>(y + o * 4, best);
  store<i32>(ind + o * 4, bi < 0 ? -1 : bi + idxBase);
}

// @ts-ignore: decorator
@inline
function scanFour(
  x: usize, xc: i32, H: i32, W: i32, kH: i32, kW: i32, y0: i32, c0: i32,
  y: usize, ind: usize, o: usize, idxBase: i32,
): void {
  for (let j = 0; j < 4; j++) scanOne(x, xc, H, W, kH, kW, 1, 1, y0, c0 + 2 * j, y, ind, o + <usize>j, idxBase);
}

/**
 * 4 outputs of a 2x2 window, stride 2 across, rows at pa and pa + W; ia = flat indices of their
 * first inputs. Stores unconditionally; returns a mask that is nonzero when the 16 inputs sum to
 * NaN (a NaN among them, or +Inf and -Inf): only then may the stored block be wrong.
 */
// @ts-ignore: decorator
@inline
function pool2x2Raw(pa: usize, W: i32, ia: v128, y: usize, ind: usize): v128 {
  const pb = pa + <usize>(W * 4);
  const a0 = v128.load(pa), a1 = v128.load(pa, 16);
  const b0 = v128.load(pb), b1 = v128.load(pb, 16);
  const sum = f32x4.add(f32x4.add(a0, a1), f32x4.add(b0, b1));
  const ae = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
  const ao = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
  const be = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
  const bo = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  const ga = f32x4.gt(ao, ae);
  const ma = f32x4.pmax(ae, ao);
  const xa = i32x4.sub(ia, ga);
  const gb = f32x4.gt(bo, be);
  const mb = f32x4.pmax(be, bo);
  const xb = i32x4.sub(i32x4.add(ia, i32x4.splat(W)), gb);
  const g = f32x4.gt(mb, ma);
  v128.store(y, f32x4.pmax(ma, mb));
  v128.store(ind, v128.bitselect(xb, xa, g));
  return f32x4.ne(sum, sum);
}

/** pool2x2Raw, exact: false (block not final) when the inputs hold a NaN, for the scalar scan. */
// @ts-ignore: decorator
@inline
function pool2x2(pa: usize, W: i32, ia: v128, y: usize, ind: usize): bool {
  if (!v128.any_true(pool2x2Raw(pa, W, ia, y, ind))) return true;
  const pb = pa + <usize>(W * 4);
  const a0 = v128.load(pa), a1 = v128.load(pa, 16);
  const b0 = v128.load(pb), b1 = v128.load(pb, 16);
  const nan = v128.or(v128.or(f32x4.ne(a0, a0), f32x4.ne(a1, a1)), v128.or(f32x4.ne(b0, b0), f32x4.ne(b1, b1)));
  return !v128.any_true(nan);
}

/** 4 outputs of a 3x3 window, stride 2 across, rows at pa, pa + W, pa + 2W; ia as in pool2x2. */
// @ts-ignore: decorator
@inline
function pool3x3(pa: usize, W: i32, ia: v128, y: usize, ind: usize): bool {
  const row = <usize>(W * 4);
  const pb = pa + row;
  const pc = pb + row;
  const a0 = v128.load(pa), a1 = v128.load(pa, 16), a8 = load<f32>(pa, 32);
  const b0 = v128.load(pb), b1 = v128.load(pb, 16), b8 = load<f32>(pb, 32);
  const c0 = v128.load(pc), c1 = v128.load(pc, 16), c8 = load<f32>(pc, 32);
  const sum = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(b0, b1)), f32x4.add(c0, c1));
  const s8 = a8 + b8 + c8;
  if (v128.any_true(f32x4.ne(sum, sum)) || s8 != s8) {
    const nan = v128.or(
      v128.or(v128.or(f32x4.ne(a0, a0), f32x4.ne(a1, a1)), v128.or(f32x4.ne(b0, b0), f32x4.ne(b1, b1))),
      v128.or(f32x4.ne(c0, c0), f32x4.ne(c1, c1)),
    );
    if (v128.any_true(nan) || a8 != a8 || b8 != b8 || c8 != c8) return false;
  }
  const two = i32x4.splat(2);
  const w = i32x4.splat(W);
  // row a: columns 0, 1, 2 of each window
  let e = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
  let od = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
  let e2 = f32x4.replace_lane(v128.shuffle<f32>(a0, a1, 2, 4, 6, 6), 3, a8);
  let g = f32x4.gt(od, e);
  let m = f32x4.pmax(e, od);
  let ix = i32x4.sub(ia, g);
  g = f32x4.gt(e2, m);
  m = f32x4.pmax(m, e2);
  ix = v128.bitselect(i32x4.add(ia, two), ix, g);
  // row b
  let ib = i32x4.add(ia, w);
  e = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
  od = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  e2 = f32x4.replace_lane(v128.shuffle<f32>(b0, b1, 2, 4, 6, 6), 3, b8);
  g = f32x4.gt(e, m);
  m = f32x4.pmax(m, e);
  ix = v128.bitselect(ib, ix, g);
  g = f32x4.gt(od, m);
  m = f32x4.pmax(m, od);
  ix = v128.bitselect(i32x4.add(ib, i32x4.splat(1)), ix, g);
  g = f32x4.gt(e2, m);
  m = f32x4.pmax(m, e2);
  ix = v128.bitselect(i32x4.add(ib, two), ix, g);
  // row c
  ib = i32x4.add(ib, w);
  e = v128.shuffle<f32>(c0, c1, 0, 2, 4, 6);
  od = v128.shuffle<f32>(c0, c1, 1, 3, 5, 7);
  e2 = f32x4.replace_lane(v128.shuffle<f32>(c0, c1, 2, 4, 6, 6), 3, c8);
  g = f32x4.gt(e, m);
  m = f32x4.pmax(m, e);
  ix = v128.bitselect(ib, ix, g);
  g = f32x4.gt(od, m);
  m = f32x4.pmax(m, od);
  ix = v128.bitselect(i32x4.add(ib, i32x4.splat(1)), ix, g);
  g = f32x4.gt(e2, m);
  m = f32x4.pmax(m, e2);
  ix = v128.bitselect(i32x4.add(ib, two), ix, g);
  v128.store(y, m);
  v128.store(ind, ix);
  return true;
}

/** Outputs o..o+3 of one row (input row ra, first column c0, first indices ia): SIMD, or the scan when the block holds a NaN. */
// @ts-ignore: decorator
@inline
function poolFour(
  k3: bool, x: usize, xc: i32, H: i32, W: i32, y0: i32, ra: i32, c0: i32, ia: v128,
  y: usize, ind: usize, o: usize, idxBase: i32,
): void {
  const p = x + <usize>((ra + c0) * 4);
  if (k3) {
    if (!pool3x3(p, W, ia, y + o * 4, ind + o * 4)) scanFour(x, xc, H, W, 3, 3, y0, c0, y, ind, o, idxBase);
  } else if (!pool2x2(p, W, ia, y + o * 4, ind + o * 4)) scanFour(x, xc, H, W, 2, 2, y0, c0, y, ind, o, idxBase);
}

export function maxpoolPlanes(
  x: usize, planes: i32, H: i32, W: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, y: usize, ind: usize, idxBase: i32,
): void {
  const plane = H * W;
  const k2 = kH == 2 && kW == 2;
  const k3 = kH == 3 && kW == 3;
  const fast = (k2 || k3) && sW == 2 && dH == 1 && dW == 1;
  // outputs whose kW columns are inside: ox*2 - padL >= 0 and ox*2 - padL + kW - 1 <= W - 1
  const oxLo = min(outW, (padL + 1) >> 1);
  const span = W - kW + padL;
  const oxHi = span < 0 ? oxLo : max(oxLo, min(outW, span / 2 + 1));
  const lane = i32x4(0, 2, 4, 6);
  let o: usize = 0;
  for (let pl = 0; pl < planes; pl++) {
    const xc = pl * plane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * sH - padT;
      let ox = 0;
      if (fast && y0 >= 0 && y0 + kH <= H) {
        for (; ox < oxLo; ox++, o++) scanOne(x, xc, H, W, kH, kW, 1, 1, y0, ox * 2 - padL, y, ind, o, idxBase);
        const ra = xc + y0 * W;
        let c0 = ox * 2 - padL;
        let ia = i32x4.add(i32x4.splat(ra + c0 + idxBase), lane);
        const eight = i32x4.splat(8);
        if (k3) {
          for (; ox + 4 <= oxHi; ox += 4, o += 4, c0 += 8, ia = i32x4.add(ia, eight)) {
            poolFour(true, x, xc, H, W, y0, ra, c0, ia, y, ind, o, idxBase);
          }
        } else {
          // 2x2: the NaN test once per row (one OR per block); a row that may hold a NaN is redone exactly
          const ox0 = ox, o0 = o, cs = c0, is = ia;
          let bad = i32x4.splat(0);
          for (; ox + 4 <= oxHi; ox += 4, o += 4, c0 += 8, ia = i32x4.add(ia, eight)) {
            bad = v128.or(bad, pool2x2Raw(x + <usize>((ra + c0) * 4), W, ia, y + o * 4, ind + o * 4));
          }
          if (v128.any_true(bad)) {
            let oo = o0, cc = cs, ii = is;
            for (let q = ox0; q < ox; q += 4, oo += 4, cc += 8, ii = i32x4.add(ii, eight)) {
              poolFour(false, x, xc, H, W, y0, ra, cc, ii, y, ind, oo, idxBase);
            }
          }
        }
        if (ox < oxHi && oxHi - oxLo >= 4) {
          // the last 1-3 inside outputs: one block ending at oxHi, overlapping outputs already written
          const back = ox - (oxHi - 4);
          poolFour(k3, x, xc, H, W, y0, ra, c0 - 2 * back, i32x4.sub(ia, i32x4.splat(2 * back)), y, ind, o - <usize>back, idxBase);
          ox += 4 - back;
          o += <usize>(4 - back);
        }
      }
      for (; ox < outW; ox++, o++) scanOne(x, xc, H, W, kH, kW, dH, dW, y0, ox * sW - padL, y, ind, o, idxBase);
    }
  }
}

/** dx (count elements, flat index idxBase at dx) = 0, then dx[ind[o] - idxBase] += dy[o] for o < outCount; indices outside are ignored. */
export function maxpoolBackward(dy: usize, ind: usize, outCount: i32, dx: usize, count: i32, idxBase: i32): void {
  memory.fill(dx, 0, <usize>(count * 4));
  for (let o = 0; o < outCount; o++) {
    const i = load<i32>(ind + <usize>(o * 4)) - idxBase;
    if (i < 0 || i >= count) continue;
    const q = dx + <usize>(i * 4);
    store<f32>(q, load<f32>(q) + load<f32>(dy + <usize>(o * 4)));
  }
}
