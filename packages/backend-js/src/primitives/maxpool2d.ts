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
 * 2x2 windows (no dilation) of one output row, `count` outputs from input offset `a` (top-left of
 * the first window), stepping `sW`. Branch-free selection: the compare results index the winner,
 * which avoids the mispredicted branches of a compare-and-swap on random data
 * (measured ~3x faster). A NaN or an inf - inf makes the window's sum NaN: the row stops there and
 * returns how many outputs it wrote (a pair with a NaN stops at its first window), so the caller
 * takes the exact scan for that window and calls again from the next.
 */
function pool2x2Row(
  x: Float32Array,
  y: Float32Array,
  indices: Int32Array,
  a: number,
  sW: number,
  inW: number,
  o: number,
  count: number,
): number {
  const end = o + count;
  const o0 = o;
  // two windows per iteration (measured ~14% faster than one: more independent loads in flight)
  for (const s2 = 2 * sW; o + 1 < end; o += 2, a += s2) {
    const b = a + inW;
    const c = a + sW;
    const d = b + sW;
    const va = x[a]!, va1 = x[a + 1]!, vb = x[b]!, vb1 = x[b + 1]!;
    const vc = x[c]!, vc1 = x[c + 1]!, vd = x[d]!, vd1 = x[d + 1]!;
    const s = va + va1 + vb + vb1 + vc + vc1 + vd + vd1;
    if (s !== s) return o - o0;
    // compare results as 0/1 offsets (a ternary on the values compiles to a branch: ~5x slower on random data)
    const i01 = a + (((va1 > va) as unknown as number) | 0);
    const i23 = b + (((vb1 > vb) as unknown as number) | 0);
    const j01 = c + (((vc1 > vc) as unknown as number) | 0);
    const j23 = d + (((vd1 > vd) as unknown as number) | 0);
    const g = ((x[i23]! > x[i01]!) as unknown as number) | 0;
    const h = ((x[j23]! > x[j01]!) as unknown as number) | 0;
    const idx = i01 + g * (i23 - i01);
    const jdx = j01 + h * (j23 - j01);
    y[o] = x[idx]!;
    indices[o] = idx;
    y[o + 1] = x[jdx]!;
    indices[o + 1] = jdx;
  }
  if (o < end) {
    const b = a + inW;
    const va = x[a]!, va1 = x[a + 1]!, vb = x[b]!, vb1 = x[b + 1]!;
    const s = va + va1 + vb + vb1;
    if (s !== s) return o - o0;
    const i01 = a + (((va1 > va) as unknown as number) | 0);
    const i23 = b + (((vb1 > vb) as unknown as number) | 0);
    const g = ((x[i23]! > x[i01]!) as unknown as number) | 0;
    const idx = i01 + g * (i23 - i01);
    y[o] = x[idx]!;
    indices[o] = idx;
    o++;
  }
  return o - o0;
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
  const { inH, inW, outH, outW, kH, kW, strideH: sH, strideW: sW, padTop, padLeft, dilationH: dH, dilationW: dW } = p;
  const plane = inH * inW;
  const oplane = outH * outW;
  // Outputs whose whole window is inside the image: [oyLo, oyHi) x [oxLo, oxHi).
  const oyLo = Math.min(outH, Math.ceil(padTop / sH));
  const oyHi = Math.max(oyLo, Math.min(outH, Math.floor((inH - 1 - (kH - 1) * dH + padTop) / sH) + 1));
  const oxLo = Math.min(outW, Math.ceil(padLeft / sW));
  const oxHi = Math.max(oxLo, Math.min(outW, Math.floor((inW - 1 - (kW - 1) * dW + padLeft) / sW) + 1));
  const is2x2 = kH === 2 && kW === 2 && dW === 1 && dH === 1;
  const rowStep = dH * inW;
  for (let pl = planeStart; pl < planeEnd; pl++) {
    const xc = pl * plane;
    const yc = pl * oplane;
    for (let oy = 0; oy < outH; oy++) {
      let o = yc + oy * outW;
      if (oy < oyLo || oy >= oyHi) {
        for (let ox = 0; ox < outW; ox++, o++) scan(p, x, xc, oy, ox, y, indices, o);
        continue;
      }
      let ox = 0;
      for (; ox < oxLo; ox++, o++) scan(p, x, xc, oy, ox, y, indices, o);
      const rowBase = xc + (oy * sH - padTop) * inW - padLeft;
      // Interior: branch-free selection (see pool2x2Row; the generic loop below indexes the winner by
      // the compare result). A NaN or an inf - inf in the window makes the sum NaN: those windows
      // take the exact scan.
      if (is2x2) {
        while (ox < oxHi) {
          const n = pool2x2Row(x, y, indices, rowBase + ox * sW, sW, inW, o, oxHi - ox);
          ox += n;
          o += n;
          if (ox < oxHi) scan(p, x, xc, oy, ox++, y, indices, o++);
        }
      } else {
        for (; ox < oxHi; ox++, o++) {
          const base = rowBase + ox * sW;
          let idx = base;
          let best = x[base]!;
          let s = 0;
          for (let ky = 0, r = base; ky < kH; ky++, r += rowStep) {
            for (let kx = 0, j = r; kx < kW; kx++, j += dW) {
              const v = x[j]!;
              s += v;
              const g = ((v > best) as unknown as number) | 0;
              idx += g * (j - idx);
              best = x[idx]!;
            }
          }
          if (s !== s) {
            scan(p, x, xc, oy, ox, y, indices, o);
            continue;
          }
          y[o] = best;
          indices[o] = idx;
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
