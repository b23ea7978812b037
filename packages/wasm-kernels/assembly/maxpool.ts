// Max pooling over planes: positions outside the image are skipped; row-major scan with strict '>'
// (ties to the first maximum); a NaN replaces the running max and only a later NaN replaces it
// (PyTorch's `val > max || isnan(val)`, so the index is the LAST NaN). Indices are flat into the
// whole input: idxBase + plane*H*W + iy*W + ix, where idxBase is the flat index of x's first element.
//
// 2x2 windows with horizontal stride 2 (the usual CNN pool) take a SIMD path for windows fully
// inside the image: 4 outputs at once, even/odd columns split by a shuffle, a pairwise strict-'>'
// tree (first-wins within and across the two rows = the row-major scan's tie rule) with indices
// chosen by bitselect; any NaN among the 16 inputs sends those 4 outputs to the exact scalar scan.

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
      if (bi < 0 || v > best || v != v) {
        best = v;
        bi = r + ix;
      }
    }
  }
  store<f32>(y + o * 4, best);
  store<i32>(ind + o * 4, bi < 0 ? -1 : bi + idxBase);
}

export function maxpoolPlanes(
  x: usize, planes: i32, H: i32, W: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, y: usize, ind: usize, idxBase: i32,
): void {
  const plane = H * W;
  const fast = kH == 2 && kW == 2 && sW == 2 && dH == 1 && dW == 1;
  // outputs whose 2 columns are inside: ox*2 - padL >= 0 and ox*2 - padL + 1 <= W - 1
  const oxLo = min(outW, (padL + 1) >> 1);
  const oxHi = max(oxLo, min(outW, (W - 2 + padL) / 2 + 1));
  const lane = i32x4(0, 2, 4, 6);
  let o: usize = 0;
  for (let pl = 0; pl < planes; pl++) {
    const xc = pl * plane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * sH - padT;
      let ox = 0;
      if (fast && y0 >= 0 && y0 + 1 < H) {
        for (; ox < oxLo; ox++, o++) scanOne(x, xc, H, W, 2, 2, 1, 1, y0, ox * 2 - padL, y, ind, o, idxBase);
        const ra = xc + y0 * W;
        for (; ox + 4 <= oxHi; ox += 4, o += 4) {
          const c0 = ox * 2 - padL;
          const pa = x + <usize>((ra + c0) * 4);
          const pb = pa + <usize>(W * 4);
          const a0 = v128.load(pa), a1 = v128.load(pa, 16);
          const b0 = v128.load(pb), b1 = v128.load(pb, 16);
          const ae = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
          const ao = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
          const be = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
          const bo = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
          const nan = v128.or(
            v128.or(f32x4.ne(ae, ae), f32x4.ne(ao, ao)),
            v128.or(f32x4.ne(be, be), f32x4.ne(bo, bo)),
          );
          if (v128.any_true(nan)) {
            for (let j = 0; j < 4; j++) scanOne(x, xc, H, W, 2, 2, 1, 1, y0, c0 + 2 * j, y, ind, o + <usize>j, idxBase);
            continue;
          }
          const ia = i32x4.add(i32x4.splat(ra + c0 + idxBase), lane);
          const ib = i32x4.add(ia, i32x4.splat(W));
          const ga = f32x4.gt(ao, ae);
          const ma = v128.bitselect(ao, ae, ga);
          const xa = v128.bitselect(i32x4.add(ia, i32x4.splat(1)), ia, ga);
          const gb = f32x4.gt(bo, be);
          const mb = v128.bitselect(bo, be, gb);
          const xb = v128.bitselect(i32x4.add(ib, i32x4.splat(1)), ib, gb);
          const g = f32x4.gt(mb, ma);
          v128.store(y + o * 4, v128.bitselect(mb, ma, g));
          v128.store(ind + o * 4, v128.bitselect(xb, xa, g));
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
