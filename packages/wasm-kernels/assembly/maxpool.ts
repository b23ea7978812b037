// Max pooling over planes: positions outside the image are skipped; row-major scan with strict '>'
// (ties to the first maximum); a NaN replaces the running max and only a later NaN replaces it
// (PyTorch's `val > max || isnan(val)`, so the index is the LAST NaN). Indices are flat into the
// whole input: idxBase + plane*H*W + iy*W + ix, where idxBase is the flat index of x's first element.
//
// SIMD path: windows 2 or 3 columns wide with horizontal stride 2 and dilation 1 (2x2/2, 3x3/2 and
// the like; any window height, vertical stride, vertical dilation and padding), for the output
// columns whose window is inside the image horizontally. 4 outputs at once, separably:
//
// - per input row, a horizontal max over the window's columns (even/odd columns split by shuffles,
//   the third column of a 3-wide window is the next even column): `f32x4.pmax(m, v)` (= m < v ? v : m,
//   one maxps) keeps the first maximum, the same `f32x4.gt(v, m)` mask moves the index;
// - then a vertical merge of the rows that are inside the image, top to bottom, with the same
//   strict '>'.
//
// Rows first, then columns-within-the-row, is exactly the row-major scan: the first row that holds
// the window's maximum wins, and within it the first column. Indices grow along the scan (a later
// row's indices exceed every index of an earlier row because the window is narrower than the image),
// so "move the index where the mask is set" is `i32x4.max_u(idx, mask & candidate)`.
// The value kept is the winner's own value (pmax never swaps equal values), so even -0/+0 ties
// match the scan bit for bit.
//
// A NaN can only be dropped by pmax, so the inputs are summed on the way (a NaN sum means a NaN, or
// +Inf and -Inf, among them) and a row (2x2, 3x3/2) or a column strip (others) whose sum is NaN is redone
// with the exact scalar scan.
//
// 2x2 (any vertical stride) runs along whole output rows, two 4-output blocks per iteration; 2x2/2
// unpadded on even heights and widths that are multiples of 16 walks all planes' rows as one
// sequence of row pairs (no per-row setup: 0.32 -> 0.23 ms on the bench's input).
// 3x3/2 runs along whole output rows and reuses the bottom row of one window as the top row of the
// next (its row maxima wait in the next output row's slots of y and ind), so 2 row maxima per
// output row instead of 3.
// Edges: a window partly outside takes, in place of each outside position, a copy of an inside
// position of the same window placed next to it in the scan (before it for a leading position,
// after it for a trailing one) with that position's index; a copy never changes the scan's
// result (ties go to the first of two equal values, and both carry the same index). So 'same'
// padding stays on the SIMD path: the 3x3/2 pad-1 left column and top row, a bottom row past the
// image (odd H) and, for 2x2, a last column past the image (odd W). Other partial windows take the
// exact scalar scan.

/** The exact scan of one window (top-left input y0, x0; positions outside skipped) into output o. */
// @ts-ignore: decorator
@inline
function scanOne(
  x: usize, xc: i32, H: i32, W: i32, kH: i32, kW: i32, dH: i32, dW: i32, y0: i32, x0: i32,
  y: usize, ind: usize, o: usize, idxBase: i32,
): void {
  // the window's rows and columns inside the image: ky in [kyLo, kyHi), kx in [kxLo, kxHi)
  const kyLo = y0 >= 0 ? 0 : (dH - 1 - y0) / dH;
  const kyHi = y0 >= H ? 0 : min(kH, (H - 1 - y0) / dH + 1);
  const kxLo = x0 >= 0 ? 0 : (dW - 1 - x0) / dW;
  const kxHi = x0 >= W ? 0 : min(kW, (W - 1 - x0) / dW + 1);
  let best: f32 = -Infinity;
  let bi: i32 = -1;
  if (kyLo < kyHi && kxLo < kxHi) {
    let r = xc + (y0 + kyLo * dH) * W + x0;
    bi = r + kxLo * dW;
    best = load<f32>(x + <usize>(bi * 4));
    for (let ky = kyLo; ky < kyHi; ky++, r += dH * W) {
      for (let kx = kxLo; kx < kxHi; kx++) {
        const i = r + kx * dW;
        const v = load<f32>(x + <usize>(i * 4));
        // branch-free: on random data a taken/not-taken branch here mispredicts about once per window
        const take = <i32>(v > best) | <i32>(v != v);
        best = select<f32>(v, best, take);
        bi = select<i32>(i, bi, take);
      }
    }
    bi += idxBase;
  }
  store<f32>(y + o * 4, best);
  store<i32>(ind + o * 4, bi);
}

/** The exact scan for outputs [ox0, ox1) of output rows [oy0, oy1) of one plane (output o0 = its first output). */
function scanRect(
  x: usize, xc: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, padT: i32, padL: i32,
  outW: i32, oy0: i32, oy1: i32, ox0: i32, ox1: i32, y: usize, ind: usize, o0: usize, idxBase: i32,
): void {
  for (let oy = oy0; oy < oy1; oy++) {
    const y0 = oy * sH - padT;
    const orow = o0 + <usize>(oy * outW);
    for (let ox = ox0; ox < ox1; ox++) {
      scanOne(x, xc, H, W, kH, kW, dH, dW, y0, ox * sW - padL, y, ind, orow + <usize>ox, idxBase);
    }
  }
}

/**
 * Output rows [oy0, oy1) of the 4-output column strip whose first window column is c0 (inside the
 * image), 2- or 3-wide windows (k3), horizontal stride 2: stores values and indices at output
 * o = o0 + oy*outW + ox, returns false when the inputs read hold a NaN (or +Inf and -Inf), in which
 * case the stored strip may be wrong and the caller redoes it with the scan.
 */
function strip(
  k3: bool, x: usize, xc: i32, H: i32, W: i32, kH: i32, sH: i32, dH: i32, padT: i32,
  c0: i32, outW: i32, oy0: i32, oy1: i32, ox: i32, y: usize, ind: usize, o0: usize, idxBase: i32, two_: i32,
): bool {
  const two = i32x4.splat(two_);
  const lane = i32x4.mul(two, i32x4(0, 1, 2, 3));
  const colIdx = i32x4.add(i32x4.splat(xc + c0 + idxBase), lane);
  const px = x + <usize>((xc + c0) * 4);
  let acc = f32x4.splat(0);
  // the last row maximum computed (input row cRow), reused when the next window starts on it
  let cRow = -1;
  let cV = f32x4.splat(0);
  let cI = i32x4.splat(0);
  let yo = y + (o0 + <usize>(oy0 * outW + ox)) * 4;
  let io = ind + (o0 + <usize>(oy0 * outW + ox)) * 4;
  const ostep = <usize>(outW * 4);
  for (let oy = oy0; oy < oy1; oy++, yo += ostep, io += ostep) {
    const y0 = oy * sH - padT;
    let first = true;
    let m = f32x4.splat(-Infinity);
    let mi = i32x4.splat(-1);
    let lRow = -1;
    let lV = m;
    let lI = mi;
    for (let ky = 0; ky < kH; ky++) {
      const iy = y0 + ky * dH;
      if (iy < 0 || iy >= H) continue;
      let v: v128, vi: v128;
      if (iy == cRow) {
        v = cV;
        vi = cI;
      } else {
        const p = px + <usize>(iy * W * 4);
        const ia = i32x4.add(colIdx, i32x4.splat(iy * W));
        const a0 = v128.load(p);
        const a1 = v128.load(p, 16);
        const e = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
        const od = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
        const g = f32x4.gt(od, e);
        v = f32x4.pmax(e, od);
        vi = i32x4.sub(ia, g);
        let s = f32x4.add(a0, a1);
        if (k3) {
          const a8 = v128.load32_zero(p, 32);
          const e2 = v128.shuffle<f32>(e, a8, 1, 2, 3, 4);
          const g2 = f32x4.gt(e2, v);
          v = f32x4.pmax(v, e2);
          vi = i32x4.max_u(vi, v128.and(g2, i32x4.add(ia, two)));
          s = f32x4.add(s, a8);
        }
        acc = f32x4.add(acc, s);
      }
      if (first) {
        m = v;
        mi = vi;
        first = false;
      } else {
        const g = f32x4.gt(v, m);
        m = f32x4.pmax(m, v);
        mi = i32x4.max_u(mi, v128.and(g, vi));
      }
      lRow = iy;
      lV = v;
      lI = vi;
    }
    cRow = lRow;
    cV = lV;
    cI = lI;
    v128.store(yo, m);
    v128.store(io, mi);
  }
  return !v128.any_true(f32x4.ne(acc, acc));
}

/**
 * 3x3 windows, stride 2 both ways, dilation 1: output rows [r0, r1) whose window's middle row is
 * inside the image (the top row may be row -1, the bottom row may be row H: then that row is a copy
 * of the middle row, placed before (top) or after (bottom) it in the scan, with the middle row's
 * indices, which leaves the scan's result unchanged), row by row, 4-output blocks from oxLo (or
 * from 0 with left: outputs 0-3, output 0's window starting at column -1) to oxHi (the last block
 * ending at oxHi, overlapping). The bottom row of each window is the top row of the next: its row
 * maxima (values and indices) are stored in the next output row's slots of y and ind, read back
 * by the next row, then overwritten by its outputs (the last, overlapping block computes its top
 * row instead, since its slots were partly overwritten already). A row whose input sum is NaN (or
 * has +Inf and -Inf) is redone with the scan, and the next row computes its top rows itself.
 * two = 2 (a runtime value, so that the vector constants stay in registers).
 */
function rows3x3(
  x: usize, xc: i32, H: i32, W: i32, padT: i32, padL: i32, left: bool, oxLo: i32, oxHi: i32, outW: i32,
  r0: i32, r1: i32, y: usize, ind: usize, o0: usize, idxBase: i32, two: i32,
): void {
  const t2 = i32x4.splat(two);
  const w = i32x4.splat(W);
  const eight = i32x4.splat(4 * two);
  const lane = i32x4.mul(t2, i32x4(0, 1, 2, 3));
  const lane0 = i32x4.replace_lane(i32x4.splat(0), 0, 1 - two);
  const rowB = <usize>(W * 4);
  const ostep = <usize>(outW * 4);
  const oFirst = left ? 4 : oxLo;
  let carryIn = false;
  let a0: v128, a1: v128, a8: v128, sm: v128, e: v128, od: v128, e2: v128, g: v128, q: usize, iq: v128;
  let cV: v128, cI: v128, v: v128, vi: v128, m: v128, mi: v128;
  for (let oy = r0; oy < r1; oy++) {
    const y0 = oy * two - padT;
    const topDup = y0 < 0;
    const botDup = y0 + 2 >= H;
    const storeCarry = oy + 1 < r1;
    const rowTop = xc + y0 * W;
    const yrow = y + (o0 + <usize>(oy * outW)) * 4;
    const irow = ind + (o0 + <usize>(oy * outW)) * 4;
    let acc = f32x4.splat(0);
    if (left) {
      const p = x + <usize>(rowTop * 4);
      const ia = i32x4.add(i32x4.splat(rowTop - 1 + idxBase), lane);
      const yo = yrow;
      const io = irow;
      if (carryIn) {
        cV = v128.load(yo);
        cI = v128.load(io);
      } else {
        q = topDup ? p + rowB : p;
        iq = topDup ? i32x4.add(ia, w) : ia;
        // columns 0..7; lane 0's window is columns -1, 0, 1: column -1 becomes a copy of column 0,
        // scanned first and taken (g forced), which leaves the scan's result unchanged
        a0 = v128.load(q);
        a1 = v128.load(q, 16);
        sm = f32x4.add(a0, a1);
        e = v128.shuffle<f32>(a0, a1, 0, 1, 3, 5);
        od = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
        e2 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
        g = v128.or(f32x4.gt(od, e), lane0);
        acc = f32x4.add(acc, sm);
        cV = f32x4.pmax(e, od);
        cI = i32x4.sub(iq, g);
        g = f32x4.gt(e2, cV);
        cV = f32x4.pmax(cV, e2);
        cI = i32x4.max_u(cI, v128.and(g, i32x4.add(iq, t2)));
      }
      q = p + rowB;
      iq = i32x4.add(ia, w);
      // columns 0..7; lane 0's window is columns -1, 0, 1: column -1 becomes a copy of column 0,
      // scanned first and taken (g forced), which leaves the scan's result unchanged
      a0 = v128.load(q);
      a1 = v128.load(q, 16);
      sm = f32x4.add(a0, a1);
      e = v128.shuffle<f32>(a0, a1, 0, 1, 3, 5);
      od = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
      e2 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
      g = v128.or(f32x4.gt(od, e), lane0);
      acc = f32x4.add(acc, sm);
      v = f32x4.pmax(e, od);
      vi = i32x4.sub(iq, g);
      g = f32x4.gt(e2, v);
      v = f32x4.pmax(v, e2);
      vi = i32x4.max_u(vi, v128.and(g, i32x4.add(iq, t2)));
      g = f32x4.gt(v, cV);
      m = f32x4.pmax(cV, v);
      mi = i32x4.max_u(cI, v128.and(g, vi));
      q = botDup ? p + rowB : p + rowB + rowB;
      iq = botDup ? i32x4.add(ia, w) : i32x4.add(i32x4.add(ia, w), w);
      // columns 0..7; lane 0's window is columns -1, 0, 1: column -1 becomes a copy of column 0,
      // scanned first and taken (g forced), which leaves the scan's result unchanged
      a0 = v128.load(q);
      a1 = v128.load(q, 16);
      sm = f32x4.add(a0, a1);
      e = v128.shuffle<f32>(a0, a1, 0, 1, 3, 5);
      od = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
      e2 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
      g = v128.or(f32x4.gt(od, e), lane0);
      acc = f32x4.add(acc, sm);
      v = f32x4.pmax(e, od);
      vi = i32x4.sub(iq, g);
      g = f32x4.gt(e2, v);
      v = f32x4.pmax(v, e2);
      vi = i32x4.max_u(vi, v128.and(g, i32x4.add(iq, t2)));
      g = f32x4.gt(v, m);
      v128.store(yo, f32x4.pmax(m, v));
      v128.store(io, i32x4.max_u(mi, v128.and(g, vi)));
      if (storeCarry) {
        v128.store(yo + ostep, v);
        v128.store(io + ostep, vi);
      }
    }
    let o = oFirst;
    let ia = i32x4.add(i32x4.splat(rowTop + o * two - padL + idxBase), lane);
    for (; o + 4 <= oxHi; o += 4, ia = i32x4.add(ia, eight)) {
      const p = x + <usize>((rowTop + o * two - padL) * 4);
      const yo = yrow + <usize>(o * 4);
      const io = irow + <usize>(o * 4);
      if (carryIn) {
        cV = v128.load(yo);
        cI = v128.load(io);
      } else {
        q = topDup ? p + rowB : p;
        iq = topDup ? i32x4.add(ia, w) : ia;
        a0 = v128.load(q);
        a1 = v128.load(q, 16);
        a8 = v128.load32_zero(q, 32);
        sm = f32x4.add(f32x4.add(a0, a1), a8);
        e = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
        od = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
        e2 = v128.shuffle<f32>(e, a8, 1, 2, 3, 4);
        g = f32x4.gt(od, e);
        acc = f32x4.add(acc, sm);
        cV = f32x4.pmax(e, od);
        cI = i32x4.sub(iq, g);
        g = f32x4.gt(e2, cV);
        cV = f32x4.pmax(cV, e2);
        cI = i32x4.max_u(cI, v128.and(g, i32x4.add(iq, t2)));
      }
      q = p + rowB;
      iq = i32x4.add(ia, w);
      a0 = v128.load(q);
      a1 = v128.load(q, 16);
      a8 = v128.load32_zero(q, 32);
      sm = f32x4.add(f32x4.add(a0, a1), a8);
      e = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
      od = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
      e2 = v128.shuffle<f32>(e, a8, 1, 2, 3, 4);
      g = f32x4.gt(od, e);
      acc = f32x4.add(acc, sm);
      v = f32x4.pmax(e, od);
      vi = i32x4.sub(iq, g);
      g = f32x4.gt(e2, v);
      v = f32x4.pmax(v, e2);
      vi = i32x4.max_u(vi, v128.and(g, i32x4.add(iq, t2)));
      g = f32x4.gt(v, cV);
      m = f32x4.pmax(cV, v);
      mi = i32x4.max_u(cI, v128.and(g, vi));
      q = botDup ? p + rowB : p + rowB + rowB;
      iq = botDup ? i32x4.add(ia, w) : i32x4.add(i32x4.add(ia, w), w);
      a0 = v128.load(q);
      a1 = v128.load(q, 16);
      a8 = v128.load32_zero(q, 32);
      sm = f32x4.add(f32x4.add(a0, a1), a8);
      e = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
      od = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
      e2 = v128.shuffle<f32>(e, a8, 1, 2, 3, 4);
      g = f32x4.gt(od, e);
      acc = f32x4.add(acc, sm);
      v = f32x4.pmax(e, od);
      vi = i32x4.sub(iq, g);
      g = f32x4.gt(e2, v);
      v = f32x4.pmax(v, e2);
      vi = i32x4.max_u(vi, v128.and(g, i32x4.add(iq, t2)));
      g = f32x4.gt(v, m);
      v128.store(yo, f32x4.pmax(m, v));
      v128.store(io, i32x4.max_u(mi, v128.and(g, vi)));
      if (storeCarry) {
        v128.store(yo + ostep, v);
        v128.store(io + ostep, vi);
      }
    }
    if (o < oxHi) {
      o = oxHi - 4;
      const p = x + <usize>((rowTop + o * two - padL) * 4);
      ia = i32x4.add(i32x4.splat(rowTop + o * two - padL + idxBase), lane);
      const yo = yrow + <usize>(o * 4);
      const io = irow + <usize>(o * 4);
      q = topDup ? p + rowB : p;
      iq = topDup ? i32x4.add(ia, w) : ia;
      a0 = v128.load(q);
      a1 = v128.load(q, 16);
      a8 = v128.load32_zero(q, 32);
      sm = f32x4.add(f32x4.add(a0, a1), a8);
      e = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
      od = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
      e2 = v128.shuffle<f32>(e, a8, 1, 2, 3, 4);
      g = f32x4.gt(od, e);
      acc = f32x4.add(acc, sm);
      cV = f32x4.pmax(e, od);
      cI = i32x4.sub(iq, g);
      g = f32x4.gt(e2, cV);
      cV = f32x4.pmax(cV, e2);
      cI = i32x4.max_u(cI, v128.and(g, i32x4.add(iq, t2)));
      q = p + rowB;
      iq = i32x4.add(ia, w);
      a0 = v128.load(q);
      a1 = v128.load(q, 16);
      a8 = v128.load32_zero(q, 32);
      sm = f32x4.add(f32x4.add(a0, a1), a8);
      e = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
      od = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
      e2 = v128.shuffle<f32>(e, a8, 1, 2, 3, 4);
      g = f32x4.gt(od, e);
      acc = f32x4.add(acc, sm);
      v = f32x4.pmax(e, od);
      vi = i32x4.sub(iq, g);
      g = f32x4.gt(e2, v);
      v = f32x4.pmax(v, e2);
      vi = i32x4.max_u(vi, v128.and(g, i32x4.add(iq, t2)));
      g = f32x4.gt(v, cV);
      m = f32x4.pmax(cV, v);
      mi = i32x4.max_u(cI, v128.and(g, vi));
      q = botDup ? p + rowB : p + rowB + rowB;
      iq = botDup ? i32x4.add(ia, w) : i32x4.add(i32x4.add(ia, w), w);
      a0 = v128.load(q);
      a1 = v128.load(q, 16);
      a8 = v128.load32_zero(q, 32);
      sm = f32x4.add(f32x4.add(a0, a1), a8);
      e = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
      od = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
      e2 = v128.shuffle<f32>(e, a8, 1, 2, 3, 4);
      g = f32x4.gt(od, e);
      acc = f32x4.add(acc, sm);
      v = f32x4.pmax(e, od);
      vi = i32x4.sub(iq, g);
      g = f32x4.gt(e2, v);
      v = f32x4.pmax(v, e2);
      vi = i32x4.max_u(vi, v128.and(g, i32x4.add(iq, t2)));
      g = f32x4.gt(v, m);
      v128.store(yo, f32x4.pmax(m, v));
      v128.store(io, i32x4.max_u(mi, v128.and(g, vi)));
      if (storeCarry) {
        v128.store(yo + ostep, v);
        v128.store(io + ostep, vi);
      }
    }
    carryIn = true;
    if (v128.any_true(f32x4.ne(acc, acc))) {
      scanRect(x, xc, H, W, 3, 3, 2, 2, 1, 1, padT, padL, outW, oy, oy + 1, left ? 0 : oxLo, oxHi, y, ind, o0, idxBase);
      carryIn = false;
    }
  }
}

/**
 * 2x2 windows, stride 2 across: n >= 4 outputs (windows inside the image) of one output row whose
 * top input row starts at r (flat, in x) and first window column at c0; the bottom row is rowB bytes
 * further (0: the bottom row is outside, the top row stands in for it). edge: one more output whose
 * window is the last image column alone. Returns false when the inputs hold a NaN (or +Inf and
 * -Inf): the row must then be redone.
 */
// @ts-ignore: decorator
@inline
function row2x2(x: usize, r: i32, W: i32, rowB: usize, c0: i32, n: i32, edge: bool, yo: usize, io: usize, idxBase: i32, eight_: i32): bool {
  let pa = x + <usize>((r + c0) * 4);
  let ia = i32x4.add(i32x4.splat(r + c0 + idxBase), i32x4(0, 2, 4, 6));
  const w = i32x4.splat(W);
  const eight = i32x4.splat(eight_);
  let acc = f32x4.splat(0);
  let j = 0;
  // two blocks per iteration (8 outputs, 16 inputs of each row); iw = ia + W (row b's indices)
  let iw = i32x4.add(ia, w);
  for (; j + 8 <= n; j += 8, pa += 32 + 32, yo += 32, io += 32) {
    const pb = pa + rowB;
    let a0 = v128.load(pa), a1 = v128.load(pa, 16);
    let b0 = v128.load(pb), b1 = v128.load(pb, 16);
    acc = f32x4.add(acc, f32x4.add(f32x4.add(a0, a1), f32x4.add(b0, b1)));
    let ae = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
    let ao = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
    let be = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
    let bo = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
    let ga = f32x4.gt(ao, ae);
    let va = f32x4.pmax(ae, ao);
    let gb = f32x4.gt(bo, be);
    let vb = f32x4.pmax(be, bo);
    let g = f32x4.gt(vb, va);
    v128.store(yo, f32x4.pmax(va, vb));
    v128.store(io, i32x4.max_u(i32x4.sub(ia, ga), v128.and(g, i32x4.sub(iw, gb))));
    ia = i32x4.add(ia, eight);
    iw = i32x4.add(iw, eight);
    a0 = v128.load(pa, 32);
    a1 = v128.load(pa, 48);
    b0 = v128.load(pb, 32);
    b1 = v128.load(pb, 48);
    acc = f32x4.add(acc, f32x4.add(f32x4.add(a0, a1), f32x4.add(b0, b1)));
    ae = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
    ao = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
    be = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
    bo = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
    ga = f32x4.gt(ao, ae);
    va = f32x4.pmax(ae, ao);
    gb = f32x4.gt(bo, be);
    vb = f32x4.pmax(be, bo);
    g = f32x4.gt(vb, va);
    v128.store(yo, f32x4.pmax(va, vb), 16);
    v128.store(io, i32x4.max_u(i32x4.sub(ia, ga), v128.and(g, i32x4.sub(iw, gb))), 16);
    ia = i32x4.add(ia, eight);
    iw = i32x4.add(iw, eight);
  }
  // the last 4..7 outputs: one block, then one block ending at n (overlapping outputs already written)
  for (let t = 0; t < 2 && j < n; t++) {
    const back = j + 4 > n ? j + 4 - n : 0;
    const q = pa - <usize>(back * 8);
    const pb = q + rowB;
    const ib = i32x4.sub(ia, i32x4.splat(2 * back));
    const a0 = v128.load(q), a1 = v128.load(q, 16);
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    acc = f32x4.add(acc, f32x4.add(f32x4.add(a0, a1), f32x4.add(b0, b1)));
    const ae = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
    const ao = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
    const be = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
    const bo = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
    const ga = f32x4.gt(ao, ae);
    const va = f32x4.pmax(ae, ao);
    const gb = f32x4.gt(bo, be);
    const vb = f32x4.pmax(be, bo);
    const g = f32x4.gt(vb, va);
    v128.store(yo - <usize>(back * 4), f32x4.pmax(va, vb));
    v128.store(io - <usize>(back * 4), i32x4.max_u(i32x4.sub(ib, ga), v128.and(g, i32x4.sub(i32x4.add(ib, w), gb))));
    j += 4 - back;
    pa += 32 - <usize>(back * 8);
    yo += 16 - <usize>(back * 4);
    io += 16 - <usize>(back * 4);
    ia = i32x4.add(ia, i32x4.splat(8 - 2 * back));
  }
  if (edge) {
    // outputs n-3..n, the last one's window is the last image column alone (its second column is
    // outside): load the row's last 8 columns and give that window a copy of its first column,
    // scanned after it (g stays false), which leaves the scan's result unchanged
    const q = pa - 28;
    const pb = q + rowB;
    const ib = i32x4.sub(ia, i32x4.splat(6));
    const a0 = v128.load(q), a1 = v128.load(q, 16);
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    acc = f32x4.add(acc, f32x4.add(f32x4.add(a0, a1), f32x4.add(b0, b1)));
    const ae = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
    const ao = v128.shuffle<f32>(a0, a1, 2, 4, 6, 7);
    const be = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
    const bo = v128.shuffle<f32>(b0, b1, 2, 4, 6, 7);
    const ga = f32x4.gt(ao, ae);
    const va = f32x4.pmax(ae, ao);
    const gb = f32x4.gt(bo, be);
    const vb = f32x4.pmax(be, bo);
    const g = f32x4.gt(vb, va);
    v128.store(yo - 12, f32x4.pmax(va, vb));
    v128.store(io - 12, i32x4.max_u(i32x4.sub(ib, ga), v128.and(g, i32x4.sub(i32x4.add(ib, w), gb))));
  }
  return !v128.any_true(f32x4.ne(acc, acc));
}

/**
 * 2x2/2 without padding on planes of even height and a width that is a multiple of 16 (the usual
 * CNN case, and the bench's): every output row is rows 2i and 2i+1, so all rows of all planes are
 * one sequence of row pairs and outputs, walked without per-row setup. A row whose input sum is NaN
 * (or has +Inf and -Inf) is redone with the scan. eight = 8, a runtime value (see rows3x3).
 */
function planes2x2(x: usize, rows: i32, W: i32, y: usize, ind: usize, idxBase: i32, eight_: i32): void {
  const rowB = <usize>(W * 4);
  const n = W >> 1;
  const w = i32x4.splat(W);
  const eight = i32x4.splat(eight_);
  let pa = x;
  let yo = y;
  let io = ind;
  let ia = i32x4.add(i32x4.splat(idxBase), i32x4(0, 2, 4, 6));
  let iw = i32x4.add(ia, w);
  for (let row = 0; row < rows; row++, pa += rowB, ia = i32x4.add(ia, w), iw = i32x4.add(iw, w)) {
    let acc = f32x4.splat(0);
    for (let j = 0; j < n; j += 8, pa += 64, yo += 32, io += 32) {
      const pb = pa + rowB;
      let a0 = v128.load(pa), a1 = v128.load(pa, 16);
      let b0 = v128.load(pb), b1 = v128.load(pb, 16);
      acc = f32x4.add(acc, f32x4.add(f32x4.add(a0, a1), f32x4.add(b0, b1)));
      let ae = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
      let ao = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
      let be = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
      let bo = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
      let ga = f32x4.gt(ao, ae);
      let va = f32x4.pmax(ae, ao);
      let gb = f32x4.gt(bo, be);
      let vb = f32x4.pmax(be, bo);
      let g = f32x4.gt(vb, va);
      v128.store(yo, f32x4.pmax(va, vb));
      v128.store(io, i32x4.max_u(i32x4.sub(ia, ga), v128.and(g, i32x4.sub(iw, gb))));
      ia = i32x4.add(ia, eight);
      iw = i32x4.add(iw, eight);
      a0 = v128.load(pa, 32);
      a1 = v128.load(pa, 48);
      b0 = v128.load(pb, 32);
      b1 = v128.load(pb, 48);
      acc = f32x4.add(acc, f32x4.add(f32x4.add(a0, a1), f32x4.add(b0, b1)));
      ae = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
      ao = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
      be = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
      bo = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
      ga = f32x4.gt(ao, ae);
      va = f32x4.pmax(ae, ao);
      gb = f32x4.gt(bo, be);
      vb = f32x4.pmax(be, bo);
      g = f32x4.gt(vb, va);
      v128.store(yo, f32x4.pmax(va, vb), 16);
      v128.store(io, i32x4.max_u(i32x4.sub(ia, ga), v128.and(g, i32x4.sub(iw, gb))), 16);
      ia = i32x4.add(ia, eight);
      iw = i32x4.add(iw, eight);
    }
    if (v128.any_true(f32x4.ne(acc, acc))) {
      // row pair `row` (of the whole sequence): H = 2 and one plane per row pair gives the same flat indices
      const ob = <usize>(row * n);
      scanRect(x, row * 2 * W, 2, W, 2, 2, 2, 2, 1, 1, 0, 0, n, 0, 1, 0, n, y, ind, ob, idxBase);
    }
  }
}

export function maxpoolPlanes(
  x: usize, planes: i32, H: i32, W: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, y: usize, ind: usize, idxBase: i32,
): void {
  const plane = H * W;
  const oplane = <usize>(outH * outW);
  const simd = (kW == 2 || kW == 3) && sW == 2 && dW == 1 && kH >= 1 && dH >= 1 && sH >= 1;
  // outputs whose kW columns are inside: ox*2 - padL >= 0 and ox*2 - padL + kW - 1 <= W - 1
  const oxLo = min(outW, (padL + 1) >> 1);
  const span = W - kW + padL;
  const oxHi = span < 0 ? oxLo : max(oxLo, min(outW, span / 2 + 1));
  if (!simd || oxHi - oxLo < 4) {
    for (let pl = 0; pl < planes; pl++) {
      scanRect(x, pl * plane, H, W, kH, kW, sH, sW, dH, dW, padT, padL, outW, 0, outH, 0, outW, y, ind, <usize>pl * oplane, idxBase);
    }
    return;
  }
  if (kH == 2 && kW == 2 && sH == 2 && sW == 2 && dH == 1 && dW == 1 && padT == 0 && padL == 0 &&
      (H & 1) == 0 && (W & 15) == 0 && outH * 2 == H && outW * 2 == W) {
    planes2x2(x, planes * outH, W, y, ind, idxBase, 4 * sW);
    return;
  }
  const k2 = kH == 2 && kW == 2 && dH == 1;
  const k33 = kH == 3 && kW == 3 && sH == 2 && dH == 1;
  // output rows whose kH rows are all inside: oy*sH - padT >= 0 and oy*sH - padT + (kH-1)*dH <= H - 1
  const oyLo = min(outH, (padT + sH - 1) / sH);
  const vspan = H - 1 - (kH - 1) * dH + padT;
  const oyHi = vspan < 0 ? oyLo : max(oyLo, min(outH, vspan / sH + 1));
  // 3x3/2: the strips take every row whose window's middle row is inside (top row >= -1, middle <= H - 1)
  const oyA3 = k33 ? min(outH, padT >> 1) : 0;
  const mspan = H - 2 + padT;
  const oyB3 = k33 && mspan >= 0 ? max(oyA3, min(outH, mspan / 2 + 1)) : oyA3;
  // a strip at the left padding (outputs 0-3; output 0's window starts at column -1)
  const left3 = k33 && padL == 1;
  // 2x2: whole output rows for every row whose top row is inside (a bottom row outside: the top row
  // again, scanned after it, which leaves the result unchanged); the right edge in SIMD when the last
  // window is the last image column alone ('same' on an odd width)
  const oyHi2 = k2 ? max(oyLo, min(outH, (H - 1 + padT) / sH + 1)) : 0;
  const edge2 = k2 && oxHi == outW - 1 && oxHi * 2 - padL == W - 1 && oxHi - oxLo >= 4;
  for (let pl = 0; pl < planes; pl++) {
    const xc = pl * plane;
    const o0 = <usize>pl * oplane;
    // columns with a window partly outside: the scan
    if (!left3) scanRect(x, xc, H, W, kH, kW, sH, 2, dH, 1, padT, padL, outW, 0, outH, 0, oxLo, y, ind, o0, idxBase);
    if (edge2) {
      scanRect(x, xc, H, W, 2, 2, sH, 2, 1, 1, padT, padL, outW, 0, oyLo, oxHi, outW, y, ind, o0, idxBase);
      scanRect(x, xc, H, W, 2, 2, sH, 2, 1, 1, padT, padL, outW, oyHi2, outH, oxHi, outW, y, ind, o0, idxBase);
    } else {
      scanRect(x, xc, H, W, kH, kW, sH, 2, dH, 1, padT, padL, outW, 0, outH, oxHi, outW, y, ind, o0, idxBase);
    }
    if (k2) {
      const c0 = oxLo * 2 - padL;
      const rowB = <usize>(W * 4);
      for (let oy = oyLo; oy < oyHi2; oy++) {
        const y0 = oy * sH - padT;
        const r = xc + y0 * W;
        const ob = o0 + <usize>(oy * outW + oxLo);
        if (!row2x2(x, r, W, y0 + 1 < H ? rowB : 0, c0, oxHi - oxLo, edge2, y + ob * 4, ind + ob * 4, idxBase, 4 * sW)) {
          scanRect(x, xc, H, W, 2, 2, sH, 2, 1, 1, padT, padL, outW, oy, oy + 1, oxLo, edge2 ? outW : oxHi, y, ind, o0, idxBase);
        }
      }
    }
    if (k33 && oyA3 < oyB3) rows3x3(x, xc, H, W, padT, padL, left3, oxLo, oxHi, outW, oyA3, oyB3, y, ind, o0, idxBase, sW);
    // column strips of 4 outputs (the last one ending at oxHi, overlapping): all rows, or the rows
    // the special paths leave
    for (let ox = left3 ? -4 : oxLo; ox < oxHi; ox = ox < 0 ? 4 : ox + 4) {
      const o = ox < 0 ? 0 : max(oxLo, min(ox, oxHi - 4));
      const c0 = o * 2 - padL;
      const r0 = k33 ? oyA3 : oyLo;
      const r1 = k33 ? oyB3 : oyHi2;
      if (k2 || k33) {
        if (ox < 0) {
          // the left strip's rows the 3x3 strip leaves: the scan
          scanRect(x, xc, H, W, 3, 3, 2, 2, 1, 1, padT, padL, outW, 0, r0, 0, 4, y, ind, o0, idxBase);
          scanRect(x, xc, H, W, 3, 3, 2, 2, 1, 1, padT, padL, outW, r1, outH, 0, 4, y, ind, o0, idxBase);
          continue;
        }
        if (r0 > 0 && !strip(k33, x, xc, H, W, kH, sH, 1, padT, c0, outW, 0, r0, o, y, ind, o0, idxBase, sW)) {
          scanRect(x, xc, H, W, kH, kW, sH, 2, 1, 1, padT, padL, outW, 0, r0, o, o + 4, y, ind, o0, idxBase);
        }
        if (r1 < outH && !strip(k33, x, xc, H, W, kH, sH, 1, padT, c0, outW, r1, outH, o, y, ind, o0, idxBase, sW)) {
          scanRect(x, xc, H, W, kH, kW, sH, 2, 1, 1, padT, padL, outW, r1, outH, o, o + 4, y, ind, o0, idxBase);
        }
      } else if (!strip(kW == 3, x, xc, H, W, kH, sH, dH, padT, c0, outW, 0, outH, o, y, ind, o0, idxBase, sW)) {
        scanRect(x, xc, H, W, kH, kW, sH, 2, dH, 1, padT, padL, outW, 0, outH, o, o + 4, y, ind, o0, idxBase);
      }
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
