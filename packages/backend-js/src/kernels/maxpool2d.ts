import type { MaxPool2dParams } from '@convkit/core';

/** Generic window scan of one output: row-major, strict '>', a NaN wins (the last NaN), out-of-image skipped. */
function scan(p: MaxPool2dParams, x: Float32Array, xc: number, oy: number, ox: number, y: Float32Array, ind: Int32Array, o: number): void {
  const { inH, inW, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = p;
  let best = -Infinity;
  let bi = -1;
  const y0 = oy * strideH - padTop;
  const x0 = ox * strideW - padLeft;
  for (let ky = 0; ky < kH; ky++) {
    const iy = y0 + ky * dilationH;
    if (iy < 0 || iy >= inH) continue;
    const r = xc + iy * inW;
    for (let kx = 0; kx < kW; kx++) {
      const ix = x0 + kx * dilationW;
      if (ix < 0 || ix >= inW) continue;
      const v = x[r + ix]!;
      // PyTorch's rule: a NaN always replaces the running max, only another NaN replaces a NaN
      if (bi < 0 || v > best || v !== v) {
        best = v;
        bi = r + ix;
      }
    }
  }
  y[o] = best;
  ind[o] = bi;
}

/**
 * Max pooling of planes [planeStart, planeEnd) (plane = n*C + c) of x [N,C,H,W] into y and int32
 * indices [N,C,outH,outW]. Indices are flat into the whole x. Ties go to the first maximum in
 * row-major window order, a NaN in the window gives NaN (index of the LAST NaN in scan order,
 * PyTorch's `val > maxval || isnan(val)`), positions
 * outside the image are skipped. A window with no in-image position (not produced by core's
 * geometry) gives -Infinity and index -1.
 */
export function maxpool2d(
  p: MaxPool2dParams,
  x: Float32Array,
  y: Float32Array,
  indices: Int32Array,
  planeStart = 0,
  planeEnd = p.N * p.C,
): void {
  const { inH, inW, outH, outW, kH, kW, strideH, strideW, padTop, padLeft, dilationH, dilationW } = p;
  const plane = inH * inW;
  const oplane = outH * outW;
  const fast2 =
    kH === 2 && kW === 2 && strideH === 2 && strideW === 2 && padTop === 0 && padLeft === 0 && dilationH === 1 && dilationW === 1;
  // Output rows/cols whose window lies fully inside the image (fast path region).
  const fullH = fast2 ? Math.min(outH, inH >> 1) : 0;
  const fullW = fast2 ? Math.min(outW, inW >> 1) : 0;
  for (let pl = planeStart; pl < planeEnd; pl++) {
    const xc = pl * plane;
    const yc = pl * oplane;
    for (let oy = 0; oy < outH; oy++) {
      let o = yc + oy * outW;
      let ox = 0;
      if (oy < fullH) {
        let a = xc + 2 * oy * inW;
        for (; ox < fullW; ox++, o++, a += 2) {
          const b = a + inW;
          const v0 = x[a]!, v1 = x[a + 1]!, v2 = x[b]!, v3 = x[b + 1]!;
          let m = v0;
          let mi = a;
          if (v1 > m) { m = v1; mi = a + 1; }
          if (v2 > m) { m = v2; mi = b; }
          if (v3 > m) { m = v3; mi = b + 1; }
          const s = v0 + v1 + v2 + v3;
          if (s !== s) {
            // a NaN (or +inf and -inf together): take the exact path
            scan(p, x, xc, oy, ox, y, indices, o);
            continue;
          }
          y[o] = m;
          indices[o] = mi;
        }
      }
      for (; ox < outW; ox++, o++) scan(p, x, xc, oy, ox, y, indices, o);
    }
  }
}

/**
 * Max pooling backward over planes [planeStart, planeEnd): zeroes those planes of dx [N,C,H,W],
 * then dx[indices[o]] += dy[o] for every output o of those planes. Indices outside the planes of
 * the range (never produced by maxpool2d) are ignored.
 */
export function maxpool2dBackward(
  p: MaxPool2dParams,
  dy: Float32Array,
  indices: Int32Array,
  dx: Float32Array,
  planeStart = 0,
  planeEnd = p.N * p.C,
): void {
  const plane = p.inH * p.inW;
  const oplane = p.outH * p.outW;
  const lo = planeStart * plane;
  const hi = planeEnd * plane;
  dx.fill(0, lo, hi);
  for (let o = planeStart * oplane, e = planeEnd * oplane; o < e; o++) {
    const i = indices[o]!;
    if (i >= lo && i < hi) dx[i] = dx[i]! + dy[o]!;
  }
}
